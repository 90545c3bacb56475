import { Badge, Card, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { ChargerView, CircuitSummary, MicrogridSummary, ScopeSummary } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { formatAmps, formatVolts } from '../../format';
import { IconAlert, IconPlus } from '../icons';
import { PermittedButton } from '../PermittedButton';
import { IdTagPolicyCard } from '../ocpp/IdTagPolicyCard';
import { CircuitChargers } from './CircuitChargers';
import {
  deleteChargerTarget,
  deleteCircuitTarget,
  deleteMicrogridTarget,
  deleteScopeTarget,
  type DeleteTarget,
} from './delete-targets';

/** Edit / Delete buttons for one row, disabled with a tooltip for roles that may not change the model. */
function RowActions({
  mayManage,
  entity,
  onEdit,
  onDelete,
}: {
  mayManage: boolean;
  entity: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <Group gap={6} wrap="nowrap">
      <PermittedButton
        allowed={mayManage}
        reason={NEEDS_MANAGER}
        size="compact-xs"
        variant="subtle"
        onClick={onEdit}
        data-testid={`edit-${entity}`}
      >
        Edit
      </PermittedButton>
      <PermittedButton
        allowed={mayManage}
        reason={NEEDS_MANAGER}
        size="compact-xs"
        variant="subtle"
        color="gray"
        onClick={onDelete}
        data-testid={`delete-${entity}`}
      >
        Delete
      </PermittedButton>
    </Group>
  );
}

/** What the model page can be asked to open: an edit dialog (null: a new one) or a deletion. */
export interface ModelActions {
  editMicrogrid: (microgrid: MicrogridSummary | null) => void;
  editCircuit: (microgridId: string, circuit: CircuitSummary | null) => void;
  editScope: (microgrid: MicrogridSummary, scope: ScopeSummary | null) => void;
  editCharger: (circuit: CircuitSummary, charger: ChargerView | null) => void;
  askDelete: (target: DeleteTarget) => void;
}

/** One microgrid of the depot model: its circuits with their chargers, and its managed scopes. */
export function MicrogridModelCard({
  m,
  mayManage,
  actions,
}: {
  m: MicrogridSummary;
  mayManage: boolean;
  actions: ModelActions;
}) {
  return (
    <Card data-testid="model-microgrid" data-microgrid-name={m.name}>
      <Stack gap="md">
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={3} fz="h4" style={{ wordBreak: 'break-word' }}>
              {m.name}
            </Title>
            <Badge variant="outline" color="gray" radius="sm" tt="none">
              {m.timezone}
            </Badge>
          </Group>
          <RowActions
            mayManage={mayManage}
            entity="microgrid"
            onEdit={() => actions.editMicrogrid(m)}
            onDelete={() => actions.askDelete(deleteMicrogridTarget(m))}
          />
        </Group>

        <Stack gap="xs">
          <Group justify="space-between">
            <Text size="xs" tt="uppercase" c="dimmed" fw={600}>
              Circuits
            </Text>
            <PermittedButton
              allowed={mayManage}
              reason={NEEDS_MANAGER}
              size="compact-xs"
              variant="light"
              leftSection={<IconPlus size={12} />}
              onClick={() => actions.editCircuit(m.id, null)}
              data-testid="add-circuit"
            >
              Add circuit
            </PermittedButton>
          </Group>
          {m.circuits.length === 0 && (
            <Text size="sm" c="dimmed">
              No circuits yet.
            </Text>
          )}
          {m.circuits.map((c) => (
            <Paper key={c.id} p="sm" data-testid="model-circuit" data-circuit-name={c.name}>
              <Group justify="space-between" mb="xs">
                <Group gap="sm">
                  <Text fw={600}>{c.name}</Text>
                  <Text size="sm" c="dimmed" className="num">
                    {c.phaseCount}-phase · {formatVolts(c.nominalVoltageV)} · static{' '}
                    {formatAmps(c.staticCapacityA)} per phase
                  </Text>
                </Group>
                <Group gap={6}>
                  <PermittedButton
                    allowed={mayManage}
                    reason={NEEDS_MANAGER}
                    size="compact-xs"
                    variant="light"
                    leftSection={<IconPlus size={12} />}
                    onClick={() => actions.editCharger(c, null)}
                    data-testid="add-charger"
                  >
                    Add charger
                  </PermittedButton>
                  <RowActions
                    mayManage={mayManage}
                    entity="circuit"
                    onEdit={() => actions.editCircuit(m.id, c)}
                    onDelete={() => actions.askDelete(deleteCircuitTarget(c))}
                  />
                </Group>
              </Group>
              <CircuitChargers
                circuitId={c.id}
                mayManage={mayManage}
                onEdit={(ch) => actions.editCharger(c, ch)}
                onDelete={(ch) => actions.askDelete(deleteChargerTarget(ch))}
              />
            </Paper>
          ))}
        </Stack>

        <IdTagPolicyCard microgridId={m.id} mayManage={mayManage} />

        <Stack gap="xs">
          <Group justify="space-between">
            <Text size="xs" tt="uppercase" c="dimmed" fw={600}>
              Managed scopes
            </Text>
            <PermittedButton
              allowed={mayManage}
              reason={NEEDS_MANAGER}
              size="compact-xs"
              variant="light"
              leftSection={<IconPlus size={12} />}
              onClick={() => actions.editScope(m, null)}
              data-testid="add-scope"
            >
              Add scope
            </PermittedButton>
          </Group>
          {m.scopes.length === 0 ? (
            <Text size="sm" c="dimmed">
              No managed scopes yet: grid operators cannot send envelopes to this microgrid.
            </Text>
          ) : (
            <Table data-testid="model-scope-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Maps to</Table.Th>
                  <Table.Th w={150} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {m.scopes.map((s) => (
                  <Table.Tr key={s.id} data-testid="model-scope-row" data-scope-name={s.name}>
                    <Table.Td fw={500}>{s.name}</Table.Td>
                    <Table.Td>
                      {s.circuit ? (
                        s.circuit.name
                      ) : (
                        <Badge
                          color="orange"
                          variant="light"
                          radius="sm"
                          tt="none"
                          leftSection={<IconAlert size={12} />}
                          data-testid="scope-mapping-warning"
                        >
                          {s.mappingProblem === 'MULTIPLE_CIRCUITS'
                            ? `Several circuits: ${s.circuits.map((c) => c.name).join(', ')}`
                            : 'No circuit'}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group justify="flex-end">
                        <RowActions
                          mayManage={mayManage}
                          entity="scope"
                          onEdit={() => actions.editScope(m, s)}
                          onDelete={() => actions.askDelete(deleteScopeTarget(s))}
                        />
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      </Stack>
    </Card>
  );
}
