import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { putSecretBody, reregisterBody } from '@openvelope/server/oscp-contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { oscpApi, oscpKeys, useControl } from '../../../api/oscp';
import type { ConnectionDetail, ReregisterBody } from '../../../api/types';
import { formatLimit } from '../../../format';
import { useSchemaForm } from '../../../forms/schema-form';
import { FormModal } from '../../FormModal';
import { FormError } from '../../States';
import { OneTimeSecret } from '../OneTimeSecret';
import { ModeBadge } from '../StateBadges';
import { CREDENTIAL_CHOICE, CredentialChoice, type ReregisterValues } from './CredentialChoice';

/**
 * Re-register a peer that forgot us (ADR 0025): choose the credential, confirm, and, when we let
 * the peer register first, see our new one-time initial token once.
 */
export function ReregisterModal({ c, onClose }: { c: ConnectionDetail; onClose: () => void }) {
  const [issuedToken, setIssuedToken] = useState<string | null>(null);
  return (
    <FormModal
      opened
      onClose={onClose}
      title={issuedToken ? 'Re-registering: our new initial token' : `Re-register ${c.displayName}`}
    >
      {issuedToken ? (
        <OneTimeSecret
          issued={{
            title: 'New initial token',
            values: [{ label: 'Initial token for the peer', value: issuedToken }],
          }}
          note="Give it to the Capacity Provider over a secure channel so it can register with us. It works once: the peer’s Register uses it up. Openvelope keeps only a hash; if it is lost, re-register again for a new one."
          onDismiss={onClose}
        />
      ) : (
        <ReregisterForm c={c} onIssued={setIssuedToken} onClose={onClose} />
      )}
    </FormModal>
  );
}

function ReregisterForm({
  c,
  onIssued,
  onClose,
}: {
  c: ConnectionDetail;
  onIssued: (token: string) => void;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  // Shared with the Operating mode card: already loaded on the connection page.
  const control = useControl(c.id);
  const [confirming, setConfirming] = useState<ReregisterBody | null>(null);
  const form = useSchemaForm<ReregisterValues, typeof reregisterBody>({
    initialValues: { credential: '', newInitialToken: '' },
    schema: reregisterBody,
    toRequest: (v) => ({ credential: v.credential }),
  });
  const send = useMutation({
    mutationFn: async (body: ReregisterBody) => {
      const secret = c.secrets.initialToken?.name;
      const token = form.values.newInitialToken;
      if (body.credential === 'INITIAL_TOKEN' && secret && token)
        await oscpApi.putSecret(secret, token);
      return oscpApi.reregister(c.id, body);
    },
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      if (answer.initialToken) return onIssued(answer.initialToken);
      notifications.show({
        color: 'teal',
        title: 'Re-registering',
        message: `${c.displayName} is registering again; its operating mode holds until the handshake completes.`,
      });
      onClose();
    },
  });

  const review = form.onSubmit((request) => {
    const token = form.values.newInitialToken;
    const checked = token ? putSecretBody.safeParse({ value: token }) : null;
    if (checked && !checked.success)
      return form.setFieldError('newInitialToken', checked.error.issues[0]!.message);
    send.reset();
    setConfirming(request);
  });

  const limit = control.data?.limit;
  const held = (
    <Alert color="blue" variant="light" p="xs" data-testid="reregister-held">
      <Text size="sm" component="div">
        The operating mode now, <ModeBadge mode={c.control.mode} />, and its limit
        {limit ? `, ${formatLimit(limit)},` : ''} stay in force until the new handshake completes.
        Forecasts are refused meanwhile, and the peer’s heartbeats are not checked.
      </Text>
    </Alert>
  );

  if (confirming)
    return (
      <Stack gap="sm" data-testid="reregister-confirmation">
        <Text size="sm">
          <b>{CREDENTIAL_CHOICE[confirming.credential].label}</b> for {c.displayName} (group{' '}
          {c.groupId}) now?
        </Text>
        <Text size="sm" c="dimmed">
          {CREDENTIAL_CHOICE[confirming.credential].does}
        </Text>
        {held}
        <FormError error={send.error} testId="reregister-error" />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirming(null)} disabled={send.isPending}>
            Back
          </Button>
          <Button
            color="orange"
            loading={send.isPending}
            onClick={() => send.mutate(confirming)}
            data-testid="confirm-reregister"
          >
            Re-register now
          </Button>
        </Group>
      </Stack>
    );

  return (
    <form onSubmit={review} noValidate>
      <Stack gap="sm">
        <Text size="sm">
          When the Capacity Provider lost its state, it refuses our messages (“invalid token”) until
          we register again.
        </Text>
        <CredentialChoice c={c} form={form} />
        {held}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" data-testid="review-reregister">
            Continue
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
