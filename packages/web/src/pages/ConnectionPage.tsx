import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { oscpApi, oscpKeys, useConnection, useControl, useHistory, useOscpInfo } from '../api/oscp';
import { useUser } from '../auth/context';
import { canManage, NEEDS_MANAGER } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import {
  BindingCard,
  Card,
  ControlCard,
  ErrorCard,
  HistoryCard,
  LifecycleCard,
  PublicationsCard,
  TimelineCard,
} from '../components/oscp/ConnectionSections';
import { StateBadge } from '../components/oscp/StateBadges';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { ErrorState, FormError, LoadingState } from '../components/States';

type Action = 'enable' | 'disable' | 'disconnect' | 'retry';

const CONFIRM: Record<Action, { title: string; label: string; color: string; text: string }> = {
  enable: {
    title: 'Enable this connection?',
    label: 'Enable',
    color: 'blue',
    text: 'A token-exchange connection sends its Register to the peer at once; an OAuth connection is registered out of band and may send a handshake. The connection then follows the OSCP lifecycle.',
  },
  disable: {
    title: 'Disable this connection?',
    label: 'Disable',
    color: 'red',
    text: 'Heartbeats stop, the tokens we issued stop working, and any OSCP limit on the scope is withdrawn.',
  },
  disconnect: {
    title: 'Disconnect and take back local control?',
    label: 'Disconnect now',
    color: 'red',
    text: 'Every active OSCP forecast and fallback constraint on this scope is cleared immediately and the scope returns to local control (its circuit’s own capacity). Heartbeats stop. Enable the connection again to start over.',
  },
  retry: {
    title: 'Retry the registration?',
    label: 'Retry',
    color: 'blue',
    text: 'A new Register with a fresh token is sent to the peer with the initial token.',
  },
};

function OneTimeSecret({ label, value }: { label: string; value: string }) {
  return (
    <Alert color="yellow" variant="light" data-testid="one-time-secret">
      <Text size="sm" fw={600}>
        {label}: shown once, store it now
      </Text>
      <Group gap="xs" mt={4}>
        <Code data-testid="one-time-secret-value">{value}</Code>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Alert>
  );
}

export function ConnectionPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const connection = useConnection(id);
  const history = useHistory(id);
  const control = useControl(id);
  const info = useOscpInfo();
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [issued, setIssued] = useState<{ label: string; value: string }[]>([]);

  const act = useMutation({
    mutationFn: (action: Action) =>
      action === 'enable'
        ? oscpApi.enable(id)
        : action === 'disable'
          ? oscpApi.disable(id)
          : action === 'disconnect'
            ? oscpApi.disconnect(id)
            : oscpApi.retry(id),
    onSuccess: async () => {
      setConfirming(null);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
    },
  });
  const issue = useMutation({
    mutationFn: async (what: 'initial' | 'oauth') => {
      if (what === 'initial')
        return [{ label: 'Initial token', value: (await oscpApi.initialToken(id)).token }];
      const c = await oscpApi.oauthClient(id);
      return [
        { label: 'Client id', value: c.clientId },
        { label: 'Client secret', value: c.clientSecret },
        { label: 'Token URL', value: c.tokenUrl },
      ];
    },
    onSuccess: (values) => setIssued(values),
  });

  if (connection.isPending) return <LoadingState rows={8} />;
  if (connection.isError)
    return <ErrorState error={connection.error} onRetry={() => void connection.refetch()} />;
  const c = connection.data;
  const manage = canManage(user.role);
  const active = c.enabled;
  const confirm = confirming ? CONFIRM[confirming] : null;

  return (
    <>
      <PageHeader
        title={
          <Group gap="sm">
            {c.displayName}
            <StateBadge state={c.state} />
          </Group>
        }
        subtitle={`${c.preset === 'VECTOR_DERMS' ? 'Vector DERMS' : c.preset === 'OSCP_STANDARD' ? 'OSCP 2.0 standard' : 'Custom'} profile · ${c.authMode === 'OSCP_TOKEN' ? 'token exchange' : 'OAuth2 client credentials'} · ${c.measurementPublicationMode} measurements`}
        actions={
          <>
            {c.state === 'REGISTRATION_FAILED' && (
              <PermittedButton
                allowed={manage}
                reason={NEEDS_MANAGER}
                onClick={() => setConfirming('retry')}
                data-testid="retry-registration"
              >
                Retry registration
              </PermittedButton>
            )}
            {active ? (
              <>
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  color="red"
                  variant="light"
                  onClick={() => setConfirming('disconnect')}
                  data-testid="disconnect-connection"
                >
                  Disconnect
                </PermittedButton>
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  variant="default"
                  onClick={() => setConfirming('disable')}
                  data-testid="disable-connection"
                >
                  Disable
                </PermittedButton>
              </>
            ) : (
              <PermittedButton
                allowed={manage}
                reason={NEEDS_MANAGER}
                onClick={() => setConfirming('enable')}
                data-testid="enable-connection"
              >
                Enable
              </PermittedButton>
            )}
            <PermittedButton
              allowed={manage}
              reason={NEEDS_MANAGER}
              variant="default"
              onClick={() => navigate(`/connections/${id}/edit`)}
              data-testid="edit-connection"
            >
              Edit
            </PermittedButton>
          </>
        }
      />
      <Stack gap="md">
        <FormError error={act.error} testId="action-error" />
        <BindingCard c={c} />
        <ControlCard control={control.data} />
        <LifecycleCard c={c} />
        <ErrorCard c={c} />
        <Card title="Peer credentials" testId="peer-credentials">
          <Stack gap="xs">
            <Text size="sm">
              Our OSCP base URL: <Code>{info.data?.baseUrl ?? '…'}</Code> · token URL:{' '}
              <Code>{info.data?.tokenUrl ?? '…'}</Code>
            </Text>
            <Group gap="xs">
              {Object.entries(c.secrets).map(([key, s]) =>
                s.name ? (
                  <Text key={key} size="xs" data-testid="secret-status" data-set={String(s.set)}>
                    {key}: <Code>{s.name}</Code> {s.set ? 'set' : 'not set'}
                  </Text>
                ) : null,
              )}
            </Group>
            <Group gap="xs">
              {c.authMode === 'OSCP_TOKEN' ? (
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  size="xs"
                  variant="light"
                  loading={issue.isPending}
                  onClick={() => issue.mutate('initial')}
                  data-testid="issue-initial-token"
                >
                  Issue initial token (peer registers first)
                </PermittedButton>
              ) : (
                <PermittedButton
                  allowed={manage}
                  reason={NEEDS_MANAGER}
                  size="xs"
                  variant="light"
                  loading={issue.isPending}
                  onClick={() => issue.mutate('oauth')}
                  data-testid="issue-oauth-client"
                >
                  Issue OAuth client credentials
                </PermittedButton>
              )}
            </Group>
            <FormError error={issue.error} />
            {issued.map((s) => (
              <OneTimeSecret key={s.label} label={s.label} value={s.value} />
            ))}
          </Stack>
        </Card>
        <PublicationsCard id={id} />
        <HistoryCard history={history.data?.history} />
        <TimelineCard id={id} />
      </Stack>
      {confirm && (
        <ConfirmModal
          opened
          title={confirm.title}
          confirmLabel={confirm.label}
          confirmColor={confirm.color}
          confirmTestId={`confirm-${confirming}`}
          loading={act.isPending}
          error={act.error}
          onConfirm={() => act.mutate(confirming!)}
          onClose={() => setConfirming(null)}
        >
          {confirm.text}
        </ConfirmModal>
      )}
    </>
  );
}
