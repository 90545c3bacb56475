import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useCircuit } from '../../api/queries';
import type { ChargerView } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { formatAmps } from '../../format';
import { NO_TRUNCATE } from '../badges';
import { PermittedButton } from '../PermittedButton';
import { OcppCredentialsButton } from '../ocpp/OcppCredentialsModal';
import { ErrorState, LoadingState, RefreshError } from '../States';

/** The chargers of one circuit in the depot model, with edit and delete. */
export function CircuitChargers({
  circuitId,
  mayManage,
  onEdit,
  onDelete,
}: {
  circuitId: string;
  mayManage: boolean;
  onEdit: (charger: ChargerView) => void;
  onDelete: (charger: ChargerView) => void;
}) {
  const detail = useCircuit(circuitId, false);
  if (detail.isPending) return <LoadingState rows={3} label="Loading chargers…" />;
  if (detail.isError && !detail.data)
    return <ErrorState error={detail.error} title="Could not load the chargers" />;
  const chargers = detail.data.chargers;
  const refreshError = detail.isError && (
    <RefreshError error={detail.error} label="Could not refresh the chargers" />
  );
  if (chargers.length === 0) {
    return (
      <Stack gap="xs">
        {refreshError}
        <Text size="sm" c="dimmed" py="xs" data-testid="model-no-chargers">
          No chargers on this circuit yet.
        </Text>
      </Stack>
    );
  }
  return (
    <Stack gap="xs">
      {refreshError}
      <Table.ScrollContainer minWidth={640}>
        <Table data-testid="model-charger-table" striped="even">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Charger</Table.Th>
              <Table.Th>Phases</Table.Th>
              <Table.Th ta="right">Min A</Table.Th>
              <Table.Th ta="right">Max A</Table.Th>
              <Table.Th ta="right">Priority</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th w={200} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {chargers.map((c) => (
              <Table.Tr key={c.id} data-testid="model-charger-row" data-charger-name={c.name}>
                <Table.Td fw={500}>{c.name}</Table.Td>
                <Table.Td>
                  <Group gap={3}>
                    {c.phases.map((p) => (
                      <Badge key={p} size="xs" variant="default" radius="xs" styles={NO_TRUNCATE}>
                        {p}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td ta="right" className="num nowrap">
                  {formatAmps(c.minCurrentA)}
                </Table.Td>
                <Table.Td ta="right" className="num nowrap">
                  {formatAmps(c.maxCurrentA)}
                </Table.Td>
                <Table.Td ta="right" className="num nowrap">
                  {c.priority}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={c.session ? undefined : 'dimmed'}>
                    {c.session ? `charging ${c.session.vehicleLabel ?? ''}`.trim() : 'idle'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} justify="flex-end" wrap="nowrap">
                    <OcppCredentialsButton charger={c} mayManage={mayManage} />
                    <PermittedButton
                      allowed={mayManage}
                      reason={NEEDS_MANAGER}
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => onEdit(c)}
                      data-testid="edit-charger"
                    >
                      Edit
                    </PermittedButton>
                    <PermittedButton
                      allowed={mayManage}
                      reason={NEEDS_MANAGER}
                      size="compact-xs"
                      variant="subtle"
                      color="gray"
                      onClick={() => onDelete(c)}
                      data-testid="delete-charger"
                    >
                      Delete
                    </PermittedButton>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
