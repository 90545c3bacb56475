import { Code, PasswordInput, Radio, Stack, Text } from '@mantine/core';
import type { reregisterBody } from '@openvelope/server/oscp-contract';
import type { ConnectionDetail, ReregistrationCredential } from '../../../api/types';
import type { SchemaForm } from '../../../forms/schema-form';

export interface ReregisterValues extends Record<string, unknown> {
  credential: ReregistrationCredential | '';
  /** A new initial token the peer gave us, stored in the connection's initial-token secret first. */
  newInitialToken: string;
}

/** What each credential does, in the operator's words. */
export const CREDENTIAL_CHOICE: Record<ReregistrationCredential, { label: string; does: string }> =
  {
    PEER_TOKEN: {
      label: 'Register with the peer’s newest token',
      does: 'We send a Register authenticated with the newest token the peer gave us. Use this when the peer lost our token but still knows its own.',
    },
    INITIAL_TOKEN: {
      label: 'Register with the configured initial token',
      does: 'We send a Register authenticated with the connection’s initial token. Initial tokens are often one-time: many peers retire theirs after the first registration. If the peer has given you a new one, enter it below.',
    },
    AWAIT_PEER: {
      label: 'Let the peer register first',
      does: 'We send nothing: Openvelope issues a new one-time initial token of ours, shown once, for the peer to register with. It is used up by the peer’s Register, and any initial token we issued earlier stops working.',
    },
  };

/** The three ways to re-register, and the new initial token from the peer when that is the one. */
export function CredentialChoice({
  c,
  form,
}: {
  c: ConnectionDetail;
  form: SchemaForm<ReregisterValues, typeof reregisterBody>;
}) {
  const secret = c.secrets.initialToken;
  return (
    <Stack gap="sm">
      <Radio.Group
        label="How to register again"
        {...form.getInputProps('credential')}
        data-testid="reregister-credential"
      >
        <Stack gap="sm" mt={6}>
          {(Object.keys(CREDENTIAL_CHOICE) as ReregistrationCredential[]).map((credential) => (
            <Radio
              key={credential}
              value={credential}
              label={CREDENTIAL_CHOICE[credential].label}
              description={CREDENTIAL_CHOICE[credential].does}
              data-testid={`reregister-${credential}`}
            />
          ))}
        </Stack>
      </Radio.Group>
      {form.values.credential === 'INITIAL_TOKEN' &&
        (secret?.name ? (
          <PasswordInput
            label="New initial token from the peer (optional)"
            description={
              <>
                Stored write-only in secret <Code fz="xs">{secret.name}</Code>
                {secret.set ? ', replacing its value' : ' (not set yet)'}. Leave empty to use the
                value it holds.
              </>
            }
            autoComplete="off"
            {...form.getInputProps('newInitialToken')}
            data-testid="reregister-new-initial-token"
          />
        ) : (
          <Text size="sm" c="red.7" data-testid="reregister-no-initial-token">
            This connection names no initial-token secret: edit the connection to name one first.
          </Text>
        ))}
    </Stack>
  );
}
