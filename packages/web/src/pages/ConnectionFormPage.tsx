import {
  Alert,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { oscpApi, oscpKeys, useConnection, usePresets, type ConnectionDetail } from '../api/oscp';
import { useMicrogrids } from '../api/queries';
import { useUser } from '../auth/context';
import { canManage } from '../auth/permissions';
import { PageHeader } from '../components/PageHeader';
import { ErrorState, FormError, LoadingState } from '../components/States';

type Preset = 'VECTOR_DERMS' | 'OSCP_STANDARD' | 'CUSTOM';
const REFERENCE_KEYS = [
  'initialToken',
  'tokenUrl',
  'clientId',
  'clientSecret',
  'staticHeaders',
  'inboundStaticHeaders',
] as const;
type ReferenceKey = (typeof REFERENCE_KEYS)[number];

const REFERENCE_LABEL: Record<ReferenceKey, string> = {
  initialToken: 'Initial token (from the peer)',
  tokenUrl: 'Peer token URL',
  clientId: 'Client id',
  clientSecret: 'Client secret',
  staticHeaders: 'Static headers we send (JSON object)',
  inboundStaticHeaders: 'Static headers the peer must send (JSON object)',
};

const REFERENCES_BY_MODE: Record<string, readonly ReferenceKey[]> = {
  OSCP_TOKEN: ['initialToken'],
  OAUTH2_CLIENT_CREDENTIALS: [
    'tokenUrl',
    'clientId',
    'clientSecret',
    'staticHeaders',
    'inboundStaticHeaders',
  ],
};

const INTERVALS = [60, 300, 600, 900, 1200, 1800, 3600];

interface FormState {
  preset: Preset;
  displayName: string;
  groupId: string;
  microgridId: string;
  scopeId: string;
  peerBaseUrl: string;
  authMode: string;
  references: Record<ReferenceKey, string>;
  measurementPublicationMode: string;
  reportingAssetId: string;
  measurementConfiguration: string;
  measurementPublicationIntervalSeconds: string;
  measurementAlignment: string;
  requestedHeartbeatIntervalSeconds: string;
  handshakeInitiator: string;
  rehandshakeAfterOffline: boolean;
  gapPolicy: string;
  safeDefaultValue: string;
  safeDefaultUnit: string;
}

const emptyReferences = Object.fromEntries(REFERENCE_KEYS.map((k) => [k, ''])) as Record<
  ReferenceKey,
  string
>;

function fromProfile(profile: Record<string, unknown>, base: Partial<FormState> = {}): FormState {
  const p = profile as Record<string, unknown> & {
    authReferences?: Record<string, string | null>;
    safeDefaultCapacity?: { value: number; unit: string };
  };
  const str = (v: unknown, fallback = '') => (v === null || v === undefined ? fallback : String(v));
  return {
    preset: (p.preset as Preset) ?? base.preset ?? 'OSCP_STANDARD',
    displayName: str(p.displayName, base.displayName ?? ''),
    groupId: str(p.groupId, base.groupId ?? ''),
    microgridId: str(p.microgridId, base.microgridId ?? ''),
    scopeId: str(p.scopeId, base.scopeId ?? ''),
    peerBaseUrl: str(p.peerBaseUrl, base.peerBaseUrl ?? ''),
    authMode: str(p.authMode, 'OSCP_TOKEN'),
    references: {
      ...emptyReferences,
      ...Object.fromEntries(Object.entries(p.authReferences ?? {}).map(([k, v]) => [k, v ?? ''])),
    },
    measurementPublicationMode: str(p.measurementPublicationMode, 'GROUP'),
    reportingAssetId: str(p.reportingAssetId),
    measurementConfiguration: str(p.measurementConfiguration, 'CONTINUOUS'),
    measurementPublicationIntervalSeconds: str(p.measurementPublicationIntervalSeconds, '900'),
    measurementAlignment: str(p.measurementAlignment, 'NONE'),
    requestedHeartbeatIntervalSeconds: str(p.requestedHeartbeatIntervalSeconds),
    handshakeInitiator: str(p.handshakeInitiator, 'CAPACITY_PROVIDER'),
    rehandshakeAfterOffline: Boolean(p.rehandshakeAfterOffline),
    gapPolicy: str(p.gapPolicy, 'SAFE_DEFAULT_CAPACITY'),
    safeDefaultValue: str(p.safeDefaultCapacity?.value, '0'),
    safeDefaultUnit: str(p.safeDefaultCapacity?.unit, 'A'),
  };
}

function toBody(f: FormState) {
  const heartbeat = f.requestedHeartbeatIntervalSeconds.trim();
  return {
    preset: f.preset,
    displayName: f.displayName,
    groupId: f.groupId,
    microgridId: f.microgridId,
    scopeId: f.scopeId,
    peerBaseUrl: f.peerBaseUrl,
    authMode: f.authMode as 'OSCP_TOKEN',
    authReferences: Object.fromEntries(
      REFERENCE_KEYS.map((k) => [k, f.references[k].trim() || null]),
    ),
    measurementPublicationMode: f.measurementPublicationMode as 'GROUP',
    reportingAssetId: f.reportingAssetId.trim() || null,
    measurementConfiguration: f.measurementConfiguration as 'CONTINUOUS',
    measurementPublicationIntervalSeconds: Number(f.measurementPublicationIntervalSeconds),
    measurementAlignment: f.measurementAlignment as 'NONE',
    requestedHeartbeatIntervalSeconds: heartbeat === '' ? null : Number(heartbeat),
    handshakeInitiator: f.handshakeInitiator as 'CAPACITY_PROVIDER',
    rehandshakeAfterOffline: f.rehandshakeAfterOffline,
    gapPolicy: f.gapPolicy as 'SAFE_DEFAULT_CAPACITY',
    safeDefaultCapacity: { value: Number(f.safeDefaultValue), unit: f.safeDefaultUnit as 'A' },
  };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper p="md">
      <Title order={3} fz="h5" mb="sm">
        {title}
      </Title>
      <Stack gap="sm">{children}</Stack>
    </Paper>
  );
}

/** Sets a secret's value, write-only: the value is never shown again, only "set". */
function SecretValue({ name, field }: { name: string; field: ReferenceKey }) {
  const [value, setValue] = useState('');
  const [done, setDone] = useState(false);
  const put = useMutation({
    mutationFn: () => oscpApi.putSecret(name, value),
    onSuccess: () => {
      setValue('');
      setDone(true);
    },
  });
  if (!name.trim()) return null;
  return (
    <Group gap="xs" align="flex-end">
      <PasswordInput
        size="xs"
        label={`Value of “${name}” (write-only)`}
        value={value}
        onChange={(e) => {
          setValue(e.currentTarget.value);
          setDone(false);
        }}
        data-testid={`secret-value-${field}`}
        style={{ flex: 1 }}
      />
      <Button
        size="xs"
        variant="light"
        disabled={!value}
        loading={put.isPending}
        onClick={() => put.mutate()}
        data-testid={`secret-set-${field}`}
      >
        Set value
      </Button>
      {done && (
        <Text size="xs" c="green.7" data-testid={`secret-saved-${field}`}>
          set
        </Text>
      )}
      {put.isError && <FormError error={put.error} />}
    </Group>
  );
}

export function ConnectionFormPage() {
  const { id } = useParams();
  const editing = id !== undefined;
  const existing = useConnection(id ?? '', false, editing);
  if (editing && existing.isPending) return <LoadingState rows={8} />;
  if (editing && existing.isError) return <ErrorState error={existing.error} />;
  return <ConnectionForm existing={editing ? existing.data : undefined} />;
}

function ConnectionForm({ existing }: { existing: ConnectionDetail | undefined }) {
  const user = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const presets = usePresets();
  const microgrids = useMicrogrids(false);
  const [form, setForm] = useState<FormState>(() =>
    existing ? fromProfile(existing.profile) : fromProfile({ preset: 'OSCP_STANDARD' }),
  );
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  // A new connection starts from its preset's defaults.
  const applyPreset = (preset: Preset) => {
    const defaults = presets.data?.presets.find((p) => p.id === preset)?.defaults ?? {};
    setForm((f) =>
      fromProfile(
        { ...defaults, preset },
        {
          displayName: f.displayName,
          groupId: f.groupId,
          microgridId: f.microgridId,
          scopeId: f.scopeId,
          peerBaseUrl: f.peerBaseUrl,
        },
      ),
    );
  };
  useEffect(() => {
    if (!existing && presets.data) applyPreset('OSCP_STANDARD');
    // Once, when the presets arrive.
  }, [presets.data]);

  const save = useMutation({
    mutationFn: () =>
      existing
        ? oscpApi.edit(existing.id, { ...toBody(form), expectedVersion: existing.version })
        : oscpApi.create({ ...toBody(form), enabled: false }),
    onSuccess: async (detail) => {
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      navigate(`/connections/${detail.id}`);
    },
  });
  const fieldError = (field: string) =>
    save.error instanceof ApiError
      ? save.error.fieldErrors.find((e) => e.field === field)?.message
      : undefined;

  const microgrid = microgrids.data?.microgrids.find((m) => m.id === form.microgridId);
  const scopes = useMemo(() => microgrid?.scopes ?? [], [microgrid]);

  if (!canManage(user.role)) {
    return (
      <Alert color="gray">
        Only managers and system admins can create or edit OSCP connections.
      </Alert>
    );
  }

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <PageHeader
        title={existing ? `Edit ${existing.displayName}` : 'New OSCP connection'}
        subtitle="Binds a Capacity Provider's group id to one managed scope, with everything needed to talk to it."
      />
      <Stack gap="md" maw={900}>
        {!existing && (
          <Section title="Preset">
            <Group gap="sm">
              {(presets.data?.presets ?? []).map((p) => (
                <Button
                  key={p.id}
                  variant={form.preset === p.id ? 'filled' : 'default'}
                  onClick={() => applyPreset(p.id as Preset)}
                  data-testid={`preset-${p.id}`}
                >
                  {p.label}
                </Button>
              ))}
            </Group>
            <Text size="sm" c="dimmed">
              {presets.data?.presets.find((p) => p.id === form.preset)?.description}
            </Text>
          </Section>
        )}
        <Section title="Binding">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Display name"
              required
              value={form.displayName}
              onChange={(e) => set('displayName', e.currentTarget.value)}
              error={fieldError('displayName')}
              data-testid="conn-display-name"
            />
            <TextInput
              label="Group id (external)"
              description="Letters and digits only"
              required
              value={form.groupId}
              onChange={(e) => set('groupId', e.currentTarget.value)}
              error={fieldError('groupId')}
              data-testid="conn-group-id"
            />
            <NativeSelect
              label="Microgrid"
              value={form.microgridId}
              onChange={(e) => {
                // Read the value now: React clears currentTarget before a state updater runs.
                const microgridId = e.currentTarget.value;
                setForm((f) => ({ ...f, microgridId, scopeId: '' }));
              }}
              data={[
                { value: '', label: 'Choose a microgrid' },
                ...(microgrids.data?.microgrids ?? []).map((m) => ({ value: m.id, label: m.name })),
              ]}
              error={fieldError('microgridId')}
              data-testid="conn-microgrid"
            />
            <NativeSelect
              label="Managed scope"
              value={form.scopeId}
              onChange={(e) => set('scopeId', e.currentTarget.value)}
              data={[
                { value: '', label: microgrid ? 'Choose a scope' : 'Choose a microgrid first' },
                ...scopes.map((s) => ({
                  value: s.id,
                  label: s.circuit
                    ? `${s.name} → ${s.circuit.name}`
                    : `${s.name} (${s.mappingProblem === 'NO_CIRCUIT' ? 'maps to no circuit' : 'maps to several circuits'})`,
                  disabled: s.circuit === null,
                })),
              ]}
              error={fieldError('scopeId')}
              data-testid="conn-scope"
            />
          </SimpleGrid>
        </Section>
        <Section title="Peer and authentication">
          <TextInput
            label="Peer base URL"
            description="Its OSCP 2.0 root, without a trailing slash"
            value={form.peerBaseUrl}
            onChange={(e) => set('peerBaseUrl', e.currentTarget.value)}
            error={fieldError('peerBaseUrl')}
            data-testid="conn-peer-url"
          />
          <NativeSelect
            label="Authentication"
            value={form.authMode}
            onChange={(e) => set('authMode', e.currentTarget.value)}
            data={[
              { value: 'OSCP_TOKEN', label: 'OSCP token exchange (Register)' },
              {
                value: 'OAUTH2_CLIENT_CREDENTIALS',
                label: 'OAuth2 client credentials + static headers',
              },
            ]}
            data-testid="conn-auth-mode"
          />
          <Text size="xs" c="dimmed">
            Secrets are referenced by name; set their values here or on the Secrets page. Values are
            never shown again.
          </Text>
          {(REFERENCES_BY_MODE[form.authMode] ?? []).map((key) => (
            <Stack key={key} gap={4}>
              <TextInput
                label={`${REFERENCE_LABEL[key]}: secret name`}
                value={form.references[key]}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setForm((f) => ({ ...f, references: { ...f.references, [key]: value } }));
                }}
                error={fieldError(`authReferences.${key}`)}
                data-testid={`conn-ref-${key}`}
              />
              <SecretValue name={form.references[key]} field={key} />
            </Stack>
          ))}
        </Section>
        <Section title="Measurements and heartbeats">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label="Measurement publication"
              value={form.measurementPublicationMode}
              onChange={(e) => set('measurementPublicationMode', e.currentTarget.value)}
              data={['GROUP', 'ASSET']}
              data-testid="conn-measurement-mode"
            />
            <TextInput
              label="Reporting asset id"
              description="Required for ASSET"
              value={form.reportingAssetId}
              onChange={(e) => set('reportingAssetId', e.currentTarget.value)}
              error={fieldError('reportingAssetId')}
              data-testid="conn-reporting-asset"
            />
            <NativeSelect
              label="Measurement configuration"
              value={form.measurementConfiguration}
              onChange={(e) => set('measurementConfiguration', e.currentTarget.value)}
              data={['INTERMITTENT', 'CONTINUOUS']}
              data-testid="conn-measurement-config"
            />
            <NativeSelect
              label="Publication interval"
              value={form.measurementPublicationIntervalSeconds}
              onChange={(e) => set('measurementPublicationIntervalSeconds', e.currentTarget.value)}
              data={INTERVALS.map((s) => ({ value: String(s), label: `${s / 60} min` }))}
              error={fieldError('measurementPublicationIntervalSeconds')}
              data-testid="conn-interval"
            />
            <NativeSelect
              label="Alignment"
              value={form.measurementAlignment}
              onChange={(e) => set('measurementAlignment', e.currentTarget.value)}
              data={[
                { value: 'NONE', label: 'None' },
                { value: 'CLOCK_HOUR', label: 'Aligned to the clock hour' },
              ]}
              error={fieldError('measurementAlignment')}
              data-testid="conn-alignment"
            />
            <TextInput
              label="Heartbeat interval we ask for (s)"
              description="Empty: none"
              value={form.requestedHeartbeatIntervalSeconds}
              onChange={(e) => set('requestedHeartbeatIntervalSeconds', e.currentTarget.value)}
              error={fieldError('requestedHeartbeatIntervalSeconds')}
              data-testid="conn-heartbeat"
            />
            <NativeSelect
              label="Who starts the handshake"
              value={form.handshakeInitiator}
              onChange={(e) => set('handshakeInitiator', e.currentTarget.value)}
              data={[
                { value: 'CAPACITY_PROVIDER', label: 'Capacity Provider' },
                { value: 'FLEXIBILITY_PROVIDER', label: 'We may (Flexibility Provider)' },
              ]}
              data-testid="conn-handshake-initiator"
            />
            <Checkbox
              mt="lg"
              label="New handshake required after the peer was offline"
              checked={form.rehandshakeAfterOffline}
              onChange={(e) => set('rehandshakeAfterOffline', e.currentTarget.checked)}
              data-testid="conn-rehandshake"
            />
          </SimpleGrid>
        </Section>
        <Section title="When no forecast covers now (gap policy)">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NativeSelect
              label="Gap policy"
              value={form.gapPolicy}
              onChange={(e) => set('gapPolicy', e.currentTarget.value)}
              data={[
                { value: 'SAFE_DEFAULT_CAPACITY', label: 'Safe default capacity' },
                { value: 'LOCAL_CONTROL', label: 'Local control (the circuit’s own capacity)' },
                { value: 'DEAD_RECKONING', label: 'Dead reckoning (planned)', disabled: true },
              ]}
              error={fieldError('gapPolicy')}
              data-testid="conn-gap-policy"
            />
            <TextInput
              label="Safe default"
              value={form.safeDefaultValue}
              onChange={(e) => set('safeDefaultValue', e.currentTarget.value)}
              error={fieldError('safeDefaultCapacity.value')}
              disabled={form.gapPolicy !== 'SAFE_DEFAULT_CAPACITY'}
              data-testid="conn-safe-default-value"
            />
            <NativeSelect
              label="Unit"
              value={form.safeDefaultUnit}
              onChange={(e) => set('safeDefaultUnit', e.currentTarget.value)}
              data={[
                { value: 'A', label: 'A per phase' },
                { value: 'KW', label: 'kW' },
              ]}
              disabled={form.gapPolicy !== 'SAFE_DEFAULT_CAPACITY'}
              data-testid="conn-safe-default-unit"
            />
          </SimpleGrid>
        </Section>
        <FormError error={save.error} testId="form-error" />
        <Group>
          <Button type="submit" loading={save.isPending} data-testid="conn-save">
            {existing ? 'Save changes' : 'Save connection'}
          </Button>
          <Button
            variant="default"
            onClick={() => navigate(existing ? `/connections/${existing.id}` : '/connections')}
          >
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
