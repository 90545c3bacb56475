import { Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { depotKeys } from '../api/microgrid';
import { useMicrogrids } from '../api/queries';
import type { ChargerView, CircuitSummary, MicrogridSummary, ScopeSummary } from '../api/types';
import { useUser } from '../auth/context';
import { canManage, NEEDS_MANAGER } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import { IconPlus } from '../components/icons';
import { ChargerModal } from '../components/model/ChargerModal';
import { CircuitModal } from '../components/model/CircuitModal';
import type { DeleteTarget } from '../components/model/delete-targets';
import { MicrogridModal } from '../components/model/MicrogridModal';
import { MicrogridModelCard, type ModelActions } from '../components/model/MicrogridModelCard';
import { ScopeModal } from '../components/model/ScopeModal';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, LoadingState, RefreshError } from '../components/States';

type MicrogridEdit = { microgrid: MicrogridSummary | null } | null;
type CircuitEdit = { microgridId: string; circuit: CircuitSummary | null } | null;
type ScopeEdit = { microgrid: MicrogridSummary; scope: ScopeSummary | null } | null;
type ChargerEdit = { circuit: CircuitSummary; charger: ChargerView | null } | null;

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

  const actions: ModelActions = {
    editMicrogrid: (microgrid) => setMicrogridEdit({ microgrid }),
    editCircuit: (microgridId, circuit) => setCircuitEdit({ microgridId, circuit }),
    editScope: (microgrid, scope) => setScopeEdit({ microgrid, scope }),
    editCharger: (circuit, charger) => setChargerEdit({ circuit, charger }),
    askDelete,
  };

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
      <MicrogridModelCard key={m.id} m={m} mayManage={mayManage} actions={actions} />
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
