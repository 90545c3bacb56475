import { Badge, Card, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import {
  deleteCharger,
  deleteCircuit,
  deleteMicrogrid,
  deleteScope,
  depotKeys,
} from '../api/microgrid';
import { useMicrogrids } from '../api/queries';
import type { ChargerView, CircuitSummary, MicrogridSummary, ScopeSummary } from '../api/types';
import { useUser } from '../auth/context';
import { canManage, NEEDS_MANAGER } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import { IconAlert, IconPlus } from '../components/icons';
import { ChargerModal } from '../components/model/ChargerModal';
import { CircuitChargers } from '../components/model/CircuitChargers';
import { CircuitModal } from '../components/model/CircuitModal';
import { MicrogridModal } from '../components/model/MicrogridModal';
import { ScopeModal } from '../components/model/ScopeModal';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, LoadingState, RefreshError } from '../components/States';
import { formatAmps, formatVolts } from '../format';

interface DeleteTarget {
  title: string;
  body: ReactNode;
  done: string;
  run: () => Promise<void>;
}

type MicrogridEdit = { microgrid: MicrogridSummary | null } | null;
type CircuitEdit = { microgridId: string; circuit: CircuitSummary | null } | null;
type ScopeEdit = { microgrid: MicrogridSummary; scope: ScopeSummary | null } | null;
type ChargerEdit = { circuit: CircuitSummary; charger: ChargerView | null } | null;

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

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

export function ModelPage() {
  const user = useUser();
  const mayManage = canManage(user.role);
  const queryClient = useQueryClient();
  const microgrids = useMicrogrids(false);

  const [microgridEdit, setMicrogridEdit] = useState<MicrogridEdit>(null);
  const [circuitEdit, setCircuitEdit] = useState<CircuitEdit>(null);
  const [scopeEdit, setScopeEdit] = useState<ScopeEdit>(null);
  const [chargerEdit, setChargerEdit] = useState<ChargerEdit>(null);
  const [toDelete, setToDelete] = useState<DeleteTarget | null>(null);

  const remove = useMutation({
    mutationFn: (target: DeleteTarget) => target.run(),
    onSuccess: async (_r, target) => {
      notifications.show({ color: 'teal', title: 'Deleted', message: target.done });
      setToDelete(null);
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });
  const askDelete = (target: DeleteTarget) => {
    remove.reset();
    setToDelete(target);
  };

  const deleteMicrogridTarget = (m: MicrogridSummary): DeleteTarget => {
    const chargers = m.circuits.reduce((n, c) => n + c.chargerCount, 0);
    return {
      title: `Delete microgrid ${m.name}?`,
      body: (
        <>
          This deletes the microgrid <b>{m.name}</b> and everything in it:{' '}
          {plural(m.circuits.length, 'circuit')}, {plural(chargers, 'charger')} and{' '}
          {plural(m.scopes.length, 'managed scope')}. This cannot be undone.
        </>
      ),
      done: `Microgrid ${m.name} deleted.`,
      run: () => deleteMicrogrid(m.id),
    };
  };
  const deleteCircuitTarget = (c: CircuitSummary): DeleteTarget => ({
    title: `Delete circuit ${c.name}?`,
    body: (
      <>
        This deletes the circuit <b>{c.name}</b> and its {plural(c.chargerCount, 'charger')}
        {c.activeSessionCount > 0
          ? `, ending ${plural(c.activeSessionCount, 'charging session')}`
          : ''}
        . Managed scopes mapped to it lose this circuit. This cannot be undone.
      </>
    ),
    done: `Circuit ${c.name} deleted.`,
    run: () => deleteCircuit(c.id),
  });
  const deleteScopeTarget = (s: ScopeSummary): DeleteTarget => ({
    title: `Delete managed scope ${s.name}?`,
    body: (
      <>
        This deletes the managed scope <b>{s.name}</b>. Envelopes sent for it will be rejected, and
        its open envelopes stop applying. This cannot be undone.
      </>
    ),
    done: `Scope ${s.name} deleted.`,
    run: () => deleteScope(s.id),
  });
  const deleteChargerTarget = (ch: ChargerView): DeleteTarget => ({
    title: `Delete charger ${ch.name}?`,
    body: (
      <>
        This deletes the charger <b>{ch.name}</b>
        {ch.session ? ' and ends its charging session' : ''}. This cannot be undone.
      </>
    ),
    done: `Charger ${ch.name} deleted.`,
    run: () => deleteCharger(ch.id),
  });

  const newMicrogridButton = (
    <PermittedButton
      allowed={mayManage}
      reason={NEEDS_MANAGER}
      leftSection={<IconPlus size={16} />}
      onClick={() => setMicrogridEdit({ microgrid: null })}
      data-testid="new-microgrid"
    >
      New microgrid
    </PermittedButton>
  );

  let content: ReactNode;
  if (microgrids.isPending) {
    content = <LoadingState rows={8} label="Loading the depot model…" />;
  } else if (microgrids.isError && !microgrids.data) {
    content = (
      <ErrorState
        error={microgrids.error}
        title="Could not load the depot model"
        onRetry={() => void microgrids.refetch()}
      />
    );
  } else if (microgrids.data.microgrids.length === 0) {
    content = (
      <Empty
        testId="empty-microgrids"
        title="No microgrids yet"
        description={
          mayManage
            ? 'Start with a microgrid (a depot site), then add its circuits, chargers and managed scopes.'
            : 'A manager creates microgrids, circuits and chargers here.'
        }
        action={mayManage ? newMicrogridButton : undefined}
      />
    );
  } else {
    content = microgrids.data.microgrids.map((m) => (
      <Card key={m.id} data-testid="model-microgrid" data-microgrid-name={m.name}>
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
              onEdit={() => setMicrogridEdit({ microgrid: m })}
              onDelete={() => askDelete(deleteMicrogridTarget(m))}
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
                onClick={() => setCircuitEdit({ microgridId: m.id, circuit: null })}
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
                      onClick={() => setChargerEdit({ circuit: c, charger: null })}
                      data-testid="add-charger"
                    >
                      Add charger
                    </PermittedButton>
                    <RowActions
                      mayManage={mayManage}
                      entity="circuit"
                      onEdit={() => setCircuitEdit({ microgridId: m.id, circuit: c })}
                      onDelete={() => askDelete(deleteCircuitTarget(c))}
                    />
                  </Group>
                </Group>
                <CircuitChargers
                  circuitId={c.id}
                  mayManage={mayManage}
                  onEdit={(ch) => setChargerEdit({ circuit: c, charger: ch })}
                  onDelete={(ch) => askDelete(deleteChargerTarget(ch))}
                />
              </Paper>
            ))}
          </Stack>

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
                onClick={() => setScopeEdit({ microgrid: m, scope: null })}
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
                            onEdit={() => setScopeEdit({ microgrid: m, scope: s })}
                            onDelete={() => askDelete(deleteScopeTarget(s))}
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
    ));
  }

  return (
    <Stack gap="md">
      <PageHeader
        title="Depot model"
        subtitle={
          mayManage
            ? 'Microgrids, their circuits, chargers and the managed scopes envelopes are sent for.'
            : 'Read-only: changing the depot model requires the Manager or System admin role.'
        }
        actions={newMicrogridButton}
      />
      {microgrids.isError && microgrids.data && (
        <RefreshError error={microgrids.error} label="Could not refresh the depot model" />
      )}
      {content}

      <MicrogridModal
        opened={microgridEdit !== null}
        microgrid={microgridEdit?.microgrid ?? null}
        onClose={() => setMicrogridEdit(null)}
      />
      <CircuitModal
        opened={circuitEdit !== null}
        microgridId={circuitEdit?.microgridId ?? ''}
        circuit={circuitEdit?.circuit ?? null}
        onClose={() => setCircuitEdit(null)}
      />
      <ScopeModal
        opened={scopeEdit !== null}
        microgridId={scopeEdit?.microgrid.id ?? ''}
        circuits={scopeEdit?.microgrid.circuits ?? NO_CIRCUITS}
        scope={scopeEdit?.scope ?? null}
        onClose={() => setScopeEdit(null)}
      />
      <ChargerModal
        opened={chargerEdit !== null}
        circuitId={chargerEdit?.circuit.id ?? ''}
        circuitPhaseCount={chargerEdit?.circuit.phaseCount ?? 3}
        charger={chargerEdit?.charger ?? null}
        onClose={() => setChargerEdit(null)}
      />
      <ConfirmModal
        opened={toDelete !== null}
        title={toDelete?.title ?? ''}
        confirmLabel="Delete"
        confirmTestId="confirm-delete"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => setToDelete(null)}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
      >
        {toDelete?.body}
      </ConfirmModal>
    </Stack>
  );
}

const NO_CIRCUITS: CircuitSummary[] = [];
