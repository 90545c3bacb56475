import { Anchor, NativeSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { secretNameParams } from '@openvelope/server/oscp-contract';
import { Link } from 'react-router-dom';
import { useSecrets } from '../../api/oscp';
import { SecretStatusBadge } from '../oscp/StateBadges';
import type { AuthMode, ReferenceKey } from './connection-values';
import { FormSection, type ConnectionForm } from './FormSection';
import { SecretValueField } from './SecretValueField';

const REFERENCE_LABEL: Record<ReferenceKey, string> = {
  initialToken: 'Initial token (from the peer)',
  tokenUrl: 'Peer token URL',
  clientId: 'Client id',
  clientSecret: 'Client secret',
  staticHeaders: 'Static headers we send (JSON object)',
  inboundStaticHeaders: 'Static headers the peer must send (JSON object)',
};

/** Which secret references each authentication mode uses (the others are kept but not shown). */
const REFERENCES_BY_MODE: Record<AuthMode, readonly ReferenceKey[]> = {
  OSCP_TOKEN: ['initialToken'],
  OAUTH2_CLIENT_CREDENTIALS: [
    'tokenUrl',
    'clientId',
    'clientSecret',
    'staticHeaders',
    'inboundStaticHeaders',
  ],
};

/** A name the secrets store accepts (the server's rule for the secret's path parameter). */
const isSecretName = (name: string) => secretNameParams.shape.name.safeParse(name).success;

/** One secret reference: the name the profile stores, whether it holds a value, and a way to set it. */
function ReferenceField({
  form,
  field,
  stored,
  placeholder,
}: {
  form: ConnectionForm;
  field: ReferenceKey;
  /** Names of the secrets that hold a value (undefined while loading). */
  stored: ReadonlySet<string> | undefined;
  placeholder: string;
}) {
  const name = form.values.authReferences[field].trim();
  const valid = name !== '' && isSecretName(name);
  return (
    <Paper withBorder p="xs" radius="sm">
      <Stack gap={6}>
        <TextInput
          label={`${REFERENCE_LABEL[field]}: secret name`}
          placeholder={placeholder}
          {...form.getInputProps(`authReferences.${field}`)}
          rightSectionWidth={80}
          rightSection={
            valid && stored ? (
              <SecretStatusBadge set={stored.has(name)} testId={`conn-ref-status-${field}`} />
            ) : undefined
          }
          autoComplete="off"
          data-testid={`conn-ref-${field}`}
        />
        {valid && <SecretValueField key={name} name={name} field={field} />}
      </Stack>
    </Paper>
  );
}

/** Where the peer is and how we authenticate to it (secrets by name, values write-only). */
export function AuthSection({ form }: { form: ConnectionForm }) {
  const secrets = useSecrets(true);
  const stored = secrets.data ? new Set(secrets.data.secrets.map((s) => s.name)) : undefined;
  const namePrefix = (form.values.groupId.trim() || 'peer').toLowerCase().replace(/[^a-z0-9]/g, '');
  return (
    <FormSection title="Peer and authentication" testId="auth-section">
      <TextInput
        label="Peer base URL"
        description="Its OSCP 2.0 root, without a trailing slash, e.g. https://cp.example.com/oscp/cp/2.0"
        required
        {...form.getInputProps('peerBaseUrl')}
        data-testid="conn-peer-url"
      />
      <NativeSelect
        label="Authentication"
        {...form.getInputProps('authMode')}
        data={[
          { value: 'OSCP_TOKEN', label: 'OSCP token exchange (Register)' },
          {
            value: 'OAUTH2_CLIENT_CREDENTIALS',
            label: 'OAuth2 client credentials + static headers (registered out of band)',
          },
        ]}
        data-testid="conn-auth-mode"
      />
      <Text size="xs" c="dimmed">
        Secrets are referenced by name. Set their values here or on the{' '}
        <Anchor component={Link} to="/secrets" size="xs">
          Secrets
        </Anchor>{' '}
        page; a value is never shown again.
      </Text>
      {REFERENCES_BY_MODE[form.values.authMode].map((key) => (
        <ReferenceField
          key={key}
          form={form}
          field={key}
          stored={stored}
          placeholder={`e.g. ${namePrefix}-${key}`}
        />
      ))}
    </FormSection>
  );
}
