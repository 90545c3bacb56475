import { Anchor, Group, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { oscpApi, oscpKeys, useConnection } from '../api/oscp';
import { useMicrogrids } from '../api/queries';
import { useUser } from '../auth/context';
import { canManage, NEEDS_MANAGER } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import {
  confirmation,
  HolderLink,
  type Confirmable,
} from '../components/oscp/connection-confirmations';
import { BindingCard } from '../components/oscp/BindingCard';
import { BreachReportsCard } from '../components/oscp/BreachReportsCard';
import { ControlCard } from '../components/oscp/ControlCard';
import { DeleteConnectionModal } from '../components/oscp/DeleteConnectionModal';
import { HistoryCard } from '../components/oscp/HistoryCard';
import { LifecycleCard } from '../components/oscp/LifecycleCard';
import { MeasurementsCard } from '../components/oscp/measurements/MeasurementsCard';
import { ProblemsCard } from '../components/oscp/problems/ProblemsCard';
import { ProfileCard } from '../components/oscp/profile/ProfileCard';
import { PublicationsCard } from '../components/oscp/PublicationsCard';
import { RefusalsCard } from '../components/oscp/refusals/RefusalsCard';
import { ReregisterModal } from '../components/oscp/reregister/ReregisterModal';
import { TimelineCard } from '../components/oscp/TimelineCard';
import { PeerCredentialsCard } from '../components/oscp/PeerCredentials';
import { PeerMessagesCard } from '../components/oscp/PeerMessagesCard';
import { AUTH_LABEL, DeletedBadge, PRESET_LABEL, StateBadge } from '../components/oscp/StateBadges';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { ErrorState, FormError, LoadingState, RefreshError } from '../components/States';

type Action = Confirmable | 'retry' | 'retry-handshake';

const DONE: Record<Action, string> = {
  enable: 'is enabled',
  disable: 'is disabled',
  disconnect: 'is disconnected; local control resumed',
  retry: 'is registering again',
  'retry-handshake': 'has sent its handshake again',
};

export function ConnectionPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const connection = useConnection(id);
  // Only for the bound microgrid's time zone, which rarely changes: no polling.
  const microgrids = useMicrogrids(false);
  const [confirming, setConfirming] = useState<Confirmable | null>(null);
  const [dialog, setDialog] = useState<'reregister' | 'delete' | null>(null);

  const act = useMutation({
    mutationFn: (action: Action) =>
      action === 'enable'
        ? oscpApi.enable(id)
        : action === 'disable'
          ? oscpApi.disable(id)
          : action === 'disconnect'
            ? oscpApi.disconnect(id)
            : action === 'retry-handshake'
              ? oscpApi.retryHandshake(id)
              : oscpApi.retry(id),
    onSuccess: async (detail, action) => {
      setConfirming(null);
      notifications.show({
        color: 'teal',
        title: 'Connection updated',
        message: `${detail.displayName} ${DONE[action]}.`,
      });
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
    },
  });
  const open = (action: Confirmable) => {
    act.reset();
    setConfirming(action);
  };

  // Waiting for the microgrids too keeps times from jumping from the browser's zone to the depot's.
  if (connection.isPending || microgrids.isPending) return <LoadingState rows={8} />;
  if (connection.isError && !connection.data)
    return (
      <ErrorState
        error={connection.error}
        title="Could not load this connection"
        onRetry={() => void connection.refetch()}
      />
    );
  const c = connection.data;
  const microgridZone = microgrids.data?.microgrids.find(
    (m) => m.id === c.binding.microgrid?.id,
  )?.timezone;
  const manage = canManage(user.role);
  // Re-registration is the token exchange's own recovery; an OAuth peer has no Register to redo.
  const reregisterable = c.enabled && c.authMode === 'OSCP_TOKEN';
  const confirm = confirming ? confirmation(confirming, c) : null;

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            {c.displayName}
            <StateBadge state={c.state} />
            {c.deletedAt && <DeletedBadge at={c.deletedAt} timeZone={microgridZone} />}
          </Group>
        }
        subtitle={
          <>
            <Anchor component={Link} to="/connections" size="sm">
              OSCP connections
            </Anchor>{' '}
            · {PRESET_LABEL[c.preset] ?? c.preset} profile ·{' '}
            {(AUTH_LABEL[c.authMode] ?? c.authMode).toLowerCase()} · {c.measurementPublicationMode}{' '}
            measurements · configuration version {c.configurationVersion} · times in{' '}
            {microgridZone ?? 'your browser’s time zone'}
          </>
        }
        actions={
          <>
            {c.state === 'REGISTRATION_FAILED' && (
              <PermittedButton
                allowed={manage}
                reason={NEEDS_MANAGER}
                loading={act.isPending && act.variables === 'retry'}
                onClick={() => {
                  act.reset();
                  act.mutate('retry');
                }}
                data-testid="retry-registration"
              >
                Retry registration
              </PermittedButton>
            )}
            {c.handshakeRetryRefusal === null && (
              <PermittedButton
                allowed={manage}
                reason={NEEDS_MANAGER}
                loading={act.isPending && act.variables === 'retry-handshake'}
                onClick={() => {
                  act.reset();
                  act.mutate('retry-handshake');
                }}
                data-testid="retry-handshake"
              >
                Retry handshake
              </PermittedButton>
            )}
            {reregisterable && (
              <PermittedButton
                allowed={manage}
                reason={NEEDS_MANAGER}
                variant="light"
                color="orange"
                onClick={() => setDialog('reregister')}
                data-testid="reregister-connection"
              >
                Re-register
              </PermittedButton>
            )}
            {c.deletedAt ? null : c.enabled ? (
              <>
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  color="red"
                  variant="light"
                  onClick={() => open('disconnect')}
                  data-testid="disconnect-connection"
                >
                  Disconnect
                </PermittedButton>
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  variant="default"
                  onClick={() => open('disable')}
                  data-testid="disable-connection"
                >
                  Disable
                </PermittedButton>
              </>
            ) : (
              <>
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  onClick={() => open('enable')}
                  data-testid="enable-connection"
                >
                  Enable
                </PermittedButton>
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  color="red"
                  variant="subtle"
                  onClick={() => setDialog('delete')}
                  data-testid="delete-connection"
                >
                  Delete
                </PermittedButton>
              </>
            )}
            {!c.deletedAt && (
              <PermittedButton
                allowed={manage}
                reason={NEEDS_MANAGER}
                variant="default"
                onClick={() => navigate(`/connections/${id}/edit`)}
                data-testid="edit-connection"
              >
                Edit
              </PermittedButton>
            )}
          </>
        }
      />
      <Stack gap="md">
        {connection.isError && <RefreshError error={connection.error} />}
        {/* The retry has no dialog: its error shows here (the dialogs show their own). */}
        {(act.variables === 'retry' || act.variables === 'retry-handshake') && (
          <FormError error={act.error} testId="action-error" />
        )}
        <BindingCard c={c} />
        <ControlCard c={c} timeZone={microgridZone} />
        <LifecycleCard c={c} timeZone={microgridZone} />
        <ProblemsCard
          c={c}
          timeZone={microgridZone}
          onReregister={reregisterable && manage ? () => setDialog('reregister') : undefined}
        />
        <RefusalsCard id={id} timeZone={microgridZone} />
        <PeerCredentialsCard c={c} manage={manage} />
        <ProfileCard c={c} />
        <PeerMessagesCard c={c} manage={manage} />
        <BreachReportsCard id={id} timeZone={microgridZone} />
        <MeasurementsCard id={id} timeZone={microgridZone} />
        <PublicationsCard id={id} timeZone={microgridZone} />
        <HistoryCard id={id} timeZone={microgridZone} />
        <TimelineCard id={id} timeZone={microgridZone} />
      </Stack>
      {dialog === 'reregister' && <ReregisterModal c={c} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteConnectionModal c={c} onClose={() => setDialog(null)} />}
      {confirm && (
        <ConfirmModal
          opened
          title={confirm.title}
          confirmLabel={confirm.label}
          confirmColor={confirm.color}
          confirmTestId={`confirm-${confirming}`}
          loading={act.isPending}
          error={act.error}
          onConfirm={() => confirming && act.mutate(confirming)}
          onClose={() => setConfirming(null)}
        >
          <Stack gap="xs">
            {confirm.body}
            <HolderLink error={act.error} />
          </Stack>
        </ConfirmModal>
      )}
    </>
  );
}
