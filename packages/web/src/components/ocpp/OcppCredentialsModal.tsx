import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, errorDetail } from '../../api/client';
import { ocppApi, ocppKeys, useOcppInfo, type NewPassword } from '../../api/ocpp';
import type { ChargerView } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { formatDateTime } from '../../format';
import { IconAlert } from '../icons';
import { PermittedButton } from '../PermittedButton';
import { FormError, LoadingState } from '../States';

function parseConnectors(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => Number(t));
}

/** The password just issued: shown this once, only its hash is kept. */
function IssuedPassword({ issued }: { issued: NewPassword }) {
  return (
    // Orange, not yellow: yellow is reserved for fallback mode.
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlert />}
      title="Password: shown once, store it now"
      data-testid="ocpp-password-issued"
    >
      <Stack gap={6}>
        <Text size="xs">
          Enter these in the charger’s OCPP settings (security profile 1, or 2 behind TLS). The
          previous password no longer works.
        </Text>
        {[
          ['Central system URL', issued.url],
          ['Charge point id (Basic auth user)', issued.chargePointId],
          ['Password (AuthorizationKey)', issued.password],
        ].map(([label, value]) => (
          <Stack key={label} gap={0}>
            <Text size="xs" fw={600}>
              {label}
            </Text>
            <Group gap="xs" wrap="nowrap">
              <Code data-testid="ocpp-issued-value" style={{ wordBreak: 'break-all' }}>
                {value}
              </Code>
              <CopyButton value={value!}>
                {({ copied, copy }) => (
                  <Button
                    size="compact-xs"
                    variant="light"
                    color={copied ? 'teal' : 'blue'}
                    onClick={copy}
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        ))}
      </Stack>
    </Alert>
  );
}

/** A charger's OCPP identity and password: set the charge point id, issue a password, remove. */
export function OcppCredentialsModal({
  charger,
  mayManage,
  onClose,
}: {
  charger: ChargerView;
  mayManage: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const info = useOcppInfo();
  const current = useQuery({
    queryKey: ocppKeys.charger(charger.id),
    queryFn: ({ signal }) =>
      ocppApi.charger(charger.id, signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
  });
  const [chargePointId, setChargePointId] = useState<string | null>(null);
  const [connectors, setConnectors] = useState<string | null>(null);
  const [issued, setIssued] = useState<NewPassword | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ocppKeys.all });

  const save = useMutation({
    mutationFn: () =>
      ocppApi.assign(charger.id, {
        chargePointId: (chargePointId ?? current.data?.chargePointId ?? '').trim(),
        connectorIds: parseConnectors(connectors ?? current.data?.connectorIds.join(', ') ?? '1'),
      }),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => ocppApi.newPassword(charger.id),
    onSuccess: async (result) => {
      setIssued(result);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => ocppApi.remove(charger.id),
    onSuccess: async () => {
      setIssued(null);
      await refresh();
    },
  });

  const cp = current.data;
  return (
    <Modal opened onClose={onClose} title={`OCPP: ${charger.name}`} size="lg">
      {current.isPending ? (
        <LoadingState rows={3} label="Loading…" />
      ) : (
        <Stack gap="sm" data-testid="ocpp-credentials">
          <Text size="sm" c="dimmed">
            The charger connects to{' '}
            <Code data-testid="ocpp-url">{`${info.data?.url ?? '…/ocpp/'}{charge point id}`}</Code>{' '}
            with the WebSocket subprotocol ocpp1.6 and HTTP Basic auth (user: its charge point id).
          </Text>
          <TextInput
            label="Charge point id"
            description="As configured in the charger; letters, digits and . _ ~ * + @ = -"
            value={chargePointId ?? cp?.chargePointId ?? ''}
            onChange={(e) => setChargePointId(e.currentTarget.value)}
            disabled={!mayManage}
            data-testid="ocpp-charge-point-id"
          />
          <TextInput
            label="Connector ids"
            description="The charger’s connectors that this depot charger stands for, e.g. 1 or 1, 2"
            value={connectors ?? cp?.connectorIds.join(', ') ?? '1'}
            onChange={(e) => setConnectors(e.currentTarget.value)}
            disabled={!mayManage}
            data-testid="ocpp-connector-ids"
          />
          <FormError error={save.error ?? rotate.error ?? remove.error} testId="ocpp-form-error" />
          <Group justify="space-between">
            <Text size="xs" c="dimmed" data-testid="ocpp-password-state">
              {cp
                ? cp.passwordSetAt
                  ? `Password issued ${formatDateTime(cp.passwordSetAt)}`
                  : 'No password yet: the charger cannot connect until one is issued.'
                : 'No OCPP identity yet.'}
            </Text>
            <Group gap="xs">
              {cp && (
                <PermittedButton
                  allowed={mayManage}
                  reason={NEEDS_MANAGER}
                  variant="subtle"
                  color="gray"
                  loading={remove.isPending}
                  onClick={() => remove.mutate()}
                  data-testid="ocpp-remove"
                >
                  Remove
                </PermittedButton>
              )}
              {cp && (
                <PermittedButton
                  allowed={mayManage}
                  reason={NEEDS_MANAGER}
                  variant="light"
                  loading={rotate.isPending}
                  onClick={() => rotate.mutate()}
                  data-testid="ocpp-new-password"
                >
                  {cp.passwordSetAt ? 'Issue a new password' : 'Issue password'}
                </PermittedButton>
              )}
              <PermittedButton
                allowed={mayManage}
                reason={NEEDS_MANAGER}
                loading={save.isPending}
                onClick={() => save.mutate()}
                data-testid="ocpp-save"
              >
                Save
              </PermittedButton>
            </Group>
          </Group>
          {issued && <IssuedPassword issued={issued} />}
          {current.isError && (
            <Text size="sm" c="red">
              {errorDetail(current.error)}
            </Text>
          )}
        </Stack>
      )}
    </Modal>
  );
}

/** The button in the depot model's charger row that opens the OCPP identity and password. */
export function OcppCredentialsButton({
  charger,
  mayManage,
}: {
  charger: ChargerView;
  mayManage: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => setOpen(true)}
        data-testid="ocpp-credentials-open"
      >
        OCPP
      </Button>
      {open && (
        <OcppCredentialsModal
          charger={charger}
          mayManage={mayManage}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
