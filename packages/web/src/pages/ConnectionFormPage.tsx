import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  PasswordInput,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError, errorDetail } from '../api/client';
import {
  bindingHolderOf,
  oscpApi,
  oscpKeys,
  useConnection,
  usePresets,
  useSecrets,
  type ConnectionDetail,
  type CreateConnectionBody,
  type PresetView,
} from '../api/oscp';
import { useMicrogrids } from '../api/queries';
import { useUser } from '../auth/context';
import { canManage } from '../auth/permissions';
import { PRESET_LABEL, SecretStatusBadge } from '../components/oscp/StateBadges';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, FormError, LoadingState, RefreshError } from '../components/States';
import { errorFor, fieldErrorsOf, mergeErrors, toNumber, type FieldErrors } from '../forms';

type Preset = PresetView['id'];
/** A create-body field without its optionality. */
type Field<K extends keyof CreateConnectionBody> = NonNullable<CreateConnectionBody[K]>;
type AuthMode = Field<'authMode'>;
type MeasurementMode = Field<'measurementPublicationMode'>;
type MeasurementConfiguration = Field<'measurementConfiguration'>;
type Alignment = Field<'measurementAlignment'>;
type HandshakeInitiator = Field<'handshakeInitiator'>;
type GapPolicy = Field<'gapPolicy'>;
type CapacityUnit = Field<'safeDefaultCapacity'>['unit'];

const PRESETS: readonly Preset[] = ['VECTOR_DERMS', 'OSCP_STANDARD', 'CUSTOM'];
const AUTH_MODES: readonly AuthMode[] = ['OSCP_TOKEN', 'OAUTH2_CLIENT_CREDENTIALS'];
const MEASUREMENT_MODES: readonly MeasurementMode[] = ['GROUP', 'ASSET'];
const MEASUREMENT_CONFIGURATIONS: readonly MeasurementConfiguration[] = [
  'INTERMITTENT',
  'CONTINUOUS',
];
const ALIGNMENTS: readonly Alignment[] = ['NONE', 'CLOCK_HOUR'];
const INITIATORS: readonly HandshakeInitiator[] = ['CAPACITY_PROVIDER', 'FLEXIBILITY_PROVIDER'];
const GAP_POLICIES: readonly GapPolicy[] = [
  'SAFE_DEFAULT_CAPACITY',
  'LOCAL_CONTROL',
  'DEAD_RECKONING',
];
const UNITS: readonly CapacityUnit[] = ['A', 'KW'];
/** The publication intervals the server accepts (seconds). */
const INTERVALS = [60, 300, 600, 900, 1200, 1800, 3600];

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

const SECRET_NAME = /^[A-Za-z0-9._-]{1,120}$/;

interface FormState {
  preset: Preset;
  displayName: string;
  groupId: string;
  microgridId: string;
  scopeId: string;
  peerBaseUrl: string;
  authMode: AuthMode;
  references: Record<ReferenceKey, string>;
  measurementPublicationMode: MeasurementMode;
  reportingAssetId: string;
  measurementConfiguration: MeasurementConfiguration;
  measurementPublicationIntervalSeconds: string;
  measurementAlignment: Alignment;
  /** A NumberInput value: '' means no heartbeat asked for. */
  requestedHeartbeatIntervalSeconds: string | number;
  handshakeInitiator: HandshakeInitiator;
  rehandshakeAfterOffline: boolean;
  gapPolicy: GapPolicy;
  safeDefaultValue: string | number;
  safeDefaultUnit: CapacityUnit;
}

/** What the user supplies for this particular peer: a preset never has values for these. */
type PeerFields = Pick<
  FormState,
  | 'displayName'
  | 'groupId'
  | 'microgridId'
  | 'scopeId'
  | 'peerBaseUrl'
  | 'references'
  | 'reportingAssetId'
>;

function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return values.includes(value as T) ? (value as T) : fallback;
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** Form fields from a stored profile or a preset's defaults, keeping the given peer fields. */
function fromProfile(profile: Record<string, unknown>, peer?: PeerFields): FormState {
  const refs = (profile.authReferences ?? {}) as Partial<Record<ReferenceKey, string | null>>;
  const safe = profile.safeDefaultCapacity as { value?: unknown; unit?: unknown } | undefined;
  const interval = Number(profile.measurementPublicationIntervalSeconds);
  const heartbeat = profile.requestedHeartbeatIntervalSeconds;
  return {
    preset: oneOf(PRESETS, profile.preset, 'OSCP_STANDARD'),
    displayName: peer?.displayName ?? text(profile.displayName),
    groupId: peer?.groupId ?? text(profile.groupId),
    microgridId: peer?.microgridId ?? text(profile.microgridId),
    scopeId: peer?.scopeId ?? text(profile.scopeId),
    peerBaseUrl: peer?.peerBaseUrl ?? text(profile.peerBaseUrl),
    authMode: oneOf(AUTH_MODES, profile.authMode, 'OSCP_TOKEN'),
    references:
      peer?.references ??
      (Object.fromEntries(REFERENCE_KEYS.map((k) => [k, text(refs[k])])) as Record<
        ReferenceKey,
        string
      >),
    measurementPublicationMode: oneOf(
      MEASUREMENT_MODES,
      profile.measurementPublicationMode,
      'GROUP',
    ),
    reportingAssetId: peer?.reportingAssetId ?? text(profile.reportingAssetId),
    measurementConfiguration: oneOf(
      MEASUREMENT_CONFIGURATIONS,
      profile.measurementConfiguration,
      'CONTINUOUS',
    ),
    measurementPublicationIntervalSeconds: String(INTERVALS.includes(interval) ? interval : 900),
    measurementAlignment: oneOf(ALIGNMENTS, profile.measurementAlignment, 'NONE'),
    requestedHeartbeatIntervalSeconds: typeof heartbeat === 'number' ? heartbeat : '',
    handshakeInitiator: oneOf(INITIATORS, profile.handshakeInitiator, 'CAPACITY_PROVIDER'),
    rehandshakeAfterOffline: profile.rehandshakeAfterOffline === true,
    gapPolicy: oneOf(GAP_POLICIES, profile.gapPolicy, 'SAFE_DEFAULT_CAPACITY'),
    safeDefaultValue: typeof safe?.value === 'number' ? safe.value : 0,
    safeDefaultUnit: oneOf(UNITS, safe?.unit, 'A'),
  };
}

/** What the browser can tell before asking the server (numbers only; the server checks the rest). */
function checkForm(f: FormState): FieldErrors {
  const found: FieldErrors = {};
  if (f.requestedHeartbeatIntervalSeconds !== '') {
    const hb = toNumber(f.requestedHeartbeatIntervalSeconds);
    if (hb === undefined || !Number.isInteger(hb) || hb < 1 || hb > 86_400)
      found.requestedHeartbeatIntervalSeconds =
        'must be a whole number of seconds from 1 to 86400, or empty for none';
  }
  const safe = toNumber(f.safeDefaultValue);
  if (safe === undefined || safe < 0) found['safeDefaultCapacity.value'] = 'must be zero or more';
  return found;
}

function toBody(f: FormState): Omit<CreateConnectionBody, 'enabled'> {
  const heartbeat = toNumber(f.requestedHeartbeatIntervalSeconds);
  return {
    preset: f.preset,
    displayName: f.displayName,
    groupId: f.groupId,
    microgridId: f.microgridId,
    scopeId: f.scopeId,
    peerBaseUrl: f.peerBaseUrl,
    authMode: f.authMode,
    authReferences: Object.fromEntries(
      REFERENCE_KEYS.map((k) => [k, f.references[k].trim() || null]),
    ),
    measurementPublicationMode: f.measurementPublicationMode,
    reportingAssetId: f.reportingAssetId.trim() || null,
    measurementConfiguration: f.measurementConfiguration,
    measurementPublicationIntervalSeconds: Number(f.measurementPublicationIntervalSeconds),
    measurementAlignment: f.measurementAlignment,
    requestedHeartbeatIntervalSeconds: heartbeat ?? null,
    handshakeInitiator: f.handshakeInitiator,
    rehandshakeAfterOffline: f.rehandshakeAfterOffline,
    gapPolicy: f.gapPolicy,
    safeDefaultCapacity: { value: toNumber(f.safeDefaultValue) ?? 0, unit: f.safeDefaultUnit },
  };
}

function Section({
  title,
  description,
  children,
  testId,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Paper p="md" data-testid={testId}>
      <Title order={3} fz="h5" mb={description ? 2 : 'sm'}>
        {title}
      </Title>
      {description && (
        <Text size="xs" c="dimmed" mb="sm">
          {description}
        </Text>
      )}
      <Stack gap="sm">{children}</Stack>
    </Paper>
  );
}

/** Sets a secret's value, write-only: the value is never shown again, only "set". */
function SecretValue({ name, field }: { name: string; field: ReferenceKey }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState('');
  const [done, setDone] = useState(false);
  const put = useMutation({
    mutationFn: () => oscpApi.putSecret(name.trim(), value),
    onSuccess: async () => {
      setValue('');
      setDone(true);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.secrets });
    },
  });
  const { reset } = put;
  // A different name is a different secret: forget the previous outcome.
  useEffect(() => {
    setDone(false);
    reset();
  }, [name, reset]);
  const validName = SECRET_NAME.test(name.trim());
  const submit = () => {
    if (value && validName && !put.isPending) put.mutate();
  };
  return (
    <Stack gap={4}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <PasswordInput
          size="xs"
          label={`Set the value of “${name.trim()}” (write-only)`}
          value={value}
          onChange={(e) => {
            setValue(e.currentTarget.value);
            setDone(false);
          }}
          onKeyDown={(e) => {
            // Enter sets this secret; it must not submit the connection form around it.
            if (e.key === 'Enter') {
              e.preventDefault();
              submit();
            }
          }}
          autoComplete="new-password"
          disabled={!validName}
          data-testid={`secret-value-${field}`}
          style={{ flex: 1 }}
        />
        <Button
          size="xs"
          variant="light"
          disabled={!value || !validName}
          loading={put.isPending}
          onClick={submit}
          data-testid={`secret-set-${field}`}
        >
          Set value
        </Button>
        {done && (
          <Text size="xs" c="teal.7" fw={600} data-testid={`secret-saved-${field}`}>
            set
          </Text>
        )}
      </Group>
      <FormError error={put.error} testId={`secret-error-${field}`} />
    </Stack>
  );
}

/** One secret reference: the name the profile stores, whether it holds a value, and a way to set it. */
function ReferenceField({
  field,
  name,
  stored,
  placeholder,
  error,
  onChange,
}: {
  field: ReferenceKey;
  name: string;
  /** Names of the secrets that hold a value (undefined while loading). */
  stored: ReadonlySet<string> | undefined;
  placeholder: string;
  error: string | undefined;
  onChange: (name: string) => void;
}) {
  const trimmed = name.trim();
  const nameProblem =
    trimmed && !SECRET_NAME.test(trimmed)
      ? 'a secret name may contain letters, digits, dot, dash and underscore'
      : undefined;
  return (
    <Paper withBorder p="xs" radius="sm">
      <Stack gap={6}>
        <TextInput
          label={`${REFERENCE_LABEL[field]}: secret name`}
          placeholder={placeholder}
          value={name}
          onChange={(e) => onChange(e.currentTarget.value)}
          error={error ?? nameProblem}
          rightSectionWidth={80}
          rightSection={
            trimmed && stored && !nameProblem ? (
              <SecretStatusBadge set={stored.has(trimmed)} testId={`conn-ref-status-${field}`} />
            ) : undefined
          }
          autoComplete="off"
          data-testid={`conn-ref-${field}`}
        />
        {trimmed && <SecretValue name={trimmed} field={field} />}
      </Stack>
    </Paper>
  );
}

function SaveError({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const holder = bindingHolderOf(error);
  const stale =
    error instanceof ApiError &&
    error.status === 409 &&
    typeof error.problem.currentVersion === 'number';
  return (
    <Alert data-testid="form-error" color="red" variant="light" p="xs" role="alert">
      <Stack gap={6} align="flex-start">
        <Text size="sm">{errorDetail(error)}</Text>
        {holder && (
          <Anchor
            component={Link}
            to={`/connections/${holder.id}`}
            size="sm"
            data-testid="conflict-holder"
          >
            Open “{holder.displayName}” (group {holder.groupId})
          </Anchor>
        )}
        {stale && onReload && (
          <Button
            size="xs"
            variant="white"
            color="red"
            onClick={onReload}
            data-testid="reload-connection"
          >
            Reload the connection (discards your changes)
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function ConnectionFormPage() {
  const { id } = useParams();
  const user = useUser();
  const editing = id !== undefined;
  const existing = useConnection(id ?? '', {
    live: false,
    enabled: editing && canManage(user.role),
  });
  // A reload after a version conflict starts the form afresh from the current profile.
  const [generation, setGeneration] = useState(0);

  if (!canManage(user.role)) {
    return (
      <Stack>
        <PageHeader title={editing ? 'Edit OSCP connection' : 'New OSCP connection'} />
        <Empty
          testId="forbidden"
          title="Only managers and system admins configure OSCP connections"
          description="You can read every connection; ask a manager to create or change one."
        />
      </Stack>
    );
  }
  if (editing && existing.isPending) return <LoadingState rows={8} />;
  if (editing && existing.isError && !existing.data)
    return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  return (
    <ConnectionForm
      key={generation}
      existing={editing ? existing.data : undefined}
      reloadError={editing && existing.isError ? existing.error : null}
      onReload={async () => {
        // A failed reload keeps the form (and its edits); the error shows above it.
        const reloaded = await existing.refetch();
        if (reloaded.isSuccess) setGeneration((g) => g + 1);
      }}
    />
  );
}

function ConnectionForm({
  existing,
  reloadError,
  onReload,
}: {
  existing: ConnectionDetail | undefined;
  /** Why the last refresh of the stored connection failed; the form keeps what it has. */
  reloadError: unknown;
  onReload: () => Promise<void>;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const presets = usePresets();
  const microgrids = useMicrogrids(false);
  const secrets = useSecrets(true);
  // The version the form was loaded from: what an edit must still match when it is saved.
  const [loadedVersion] = useState(existing?.configurationVersion);
  const [form, setForm] = useState<FormState>(() =>
    existing ? fromProfile(existing.profile) : fromProfile({ preset: 'OSCP_STANDARD' }),
  );
  const [enableNow, setEnableNow] = useState(false);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  /** A preset fills every protocol field with its defaults; the user's peer fields stay. */
  const applyPreset = (preset: Preset) => {
    const defaults = presets.data?.presets.find((p) => p.id === preset)?.defaults ?? {};
    setForm((f) => fromProfile({ ...defaults, preset }, f));
  };
  // A new connection starts from the selected preset's defaults as soon as they arrive.
  const defaultsApplied = useRef(existing !== undefined);
  useEffect(() => {
    if (defaultsApplied.current || !presets.data) return;
    defaultsApplied.current = true;
    const list = presets.data.presets;
    setForm((f) =>
      fromProfile(
        { ...(list.find((p) => p.id === f.preset)?.defaults ?? {}), preset: f.preset },
        f,
      ),
    );
  }, [presets.data]);

  const save = useMutation({
    mutationFn: () =>
      existing
        ? oscpApi.edit(existing.id, { ...toBody(form), expectedVersion: loadedVersion })
        : oscpApi.create({ ...toBody(form), enabled: enableNow }),
    onSuccess: async (detail) => {
      notifications.show({
        color: 'teal',
        title: existing ? 'Connection saved' : 'Connection created',
        message: existing
          ? `${detail.displayName} is at configuration version ${detail.configurationVersion}.`
          : `${detail.displayName} is ${detail.enabled ? 'enabled' : 'configured; enable it when the peer is ready'}.`,
      });
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      navigate(`/connections/${detail.id}`);
    },
  });
  const errors = mergeErrors(clientErrors, fieldErrorsOf(save.error));
  const fieldError = (field: string) => errorFor(errors, field);
  const onSubmit = () => {
    const found = checkForm(form);
    setClientErrors(found);
    if (Object.keys(found).length === 0) save.mutate();
    else save.reset();
  };

  const microgridList = microgrids.data?.microgrids ?? [];
  const microgrid = microgridList.find((m) => m.id === form.microgridId);
  const scopes = microgrid?.scopes ?? [];
  const scope = scopes.find((s) => s.id === form.scopeId);
  const stored = secrets.data ? new Set(secrets.data.secrets.map((s) => s.name)) : undefined;
  const selectedPreset = presets.data?.presets.find((p) => p.id === form.preset);
  const namePrefix = (form.groupId.trim() || 'peer').toLowerCase().replace(/[^a-z0-9]/g, '');

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <PageHeader
        title={existing ? `Edit ${existing.displayName}` : 'New OSCP connection'}
        subtitle={
          existing
            ? `Configuration version ${loadedVersion} · changes are recorded in the configuration history`
            : "Binds a Capacity Provider's group id to one managed scope, with everything needed to talk to it."
        }
      />
      <Stack gap="md" maw={960}>
        {reloadError ? (
          <RefreshError error={reloadError} label="Could not refresh the connection" />
        ) : null}
        <Section
          title="Preset"
          testId="preset-section"
          description={
            existing
              ? 'Choosing another preset replaces the protocol settings below with its defaults (name, binding, peer URL, secret names and reporting asset id stay). Nothing is saved until you save.'
              : 'Pick the kind of Capacity Provider first: its defaults fill the form, and you can change any field afterwards.'
          }
        >
          {presets.isPending ? (
            <LoadingState rows={2} label="Loading presets…" />
          ) : presets.isError && !presets.data ? (
            <ErrorState
              error={presets.error}
              title="Could not load the presets"
              onRetry={() => void presets.refetch()}
            />
          ) : (
            <Radio.Group
              value={form.preset}
              onChange={(value) => applyPreset(value as Preset)}
              aria-label="Preset"
            >
              <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
                {presets.data.presets.map((p) => (
                  <Radio.Card
                    key={p.id}
                    value={p.id}
                    radius="sm"
                    p="sm"
                    style={{ display: 'flex', alignItems: 'flex-start' }}
                    data-testid={`preset-${p.id}`}
                    data-selected={String(form.preset === p.id)}
                  >
                    <Group wrap="nowrap" align="flex-start" gap="sm">
                      <Radio.Indicator mt={2} />
                      <Stack gap={2}>
                        <Text fw={600} size="sm">
                          {p.label}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {p.description}
                        </Text>
                      </Stack>
                    </Group>
                  </Radio.Card>
                ))}
              </SimpleGrid>
            </Radio.Group>
          )}
          {fieldError('preset') && (
            <Text size="xs" c="red.7">
              {fieldError('preset')}
            </Text>
          )}
          {selectedPreset && (
            <Text size="xs" c="dimmed" data-testid="preset-summary">
              {PRESET_LABEL[selectedPreset.id] ?? selectedPreset.label} profile, as set below:{' '}
              {form.measurementConfiguration} measurements every{' '}
              {Number(form.measurementPublicationIntervalSeconds) / 60} minutes (
              {form.measurementPublicationIntervalSeconds} s),{' '}
              {form.authMode === 'OSCP_TOKEN' ? 'token exchange' : 'OAuth2 client credentials'}.
            </Text>
          )}
        </Section>

        <Section title="Binding" testId="binding-section">
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
              description="The Capacity Provider's group_id: letters and digits only"
              required
              value={form.groupId}
              onChange={(e) => set('groupId', e.currentTarget.value)}
              error={fieldError('groupId')}
              data-testid="conn-group-id"
            />
            <NativeSelect
              label="Microgrid"
              required
              value={form.microgridId}
              disabled={microgrids.isPending}
              onChange={(e) => {
                // Read the value now: React clears currentTarget before a state updater runs.
                const microgridId = e.currentTarget.value;
                setForm((f) => ({ ...f, microgridId, scopeId: '' }));
              }}
              data={[
                {
                  value: '',
                  label: microgrids.isPending
                    ? 'Loading microgrids…'
                    : microgridList.length === 0
                      ? 'No microgrids yet'
                      : 'Choose a microgrid',
                },
                ...microgridList.map((m) => ({ value: m.id, label: m.name })),
              ]}
              error={
                fieldError('microgridId') ??
                (microgrids.isError && !microgrids.data
                  ? `Could not load the microgrids: ${errorDetail(microgrids.error)}`
                  : undefined)
              }
              description={
                microgrids.isSuccess && microgridList.length === 0 ? (
                  <>
                    Create one in{' '}
                    <Anchor component={Link} to="/model" size="xs">
                      Depot model
                    </Anchor>
                  </>
                ) : undefined
              }
              data-testid="conn-microgrid"
            />
            <NativeSelect
              label="Managed scope"
              required
              value={form.scopeId}
              disabled={!microgrid}
              onChange={(e) => set('scopeId', e.currentTarget.value)}
              data={[
                {
                  value: '',
                  label: !microgrid
                    ? 'Choose a microgrid first'
                    : scopes.length === 0
                      ? 'This microgrid has no scopes'
                      : 'Choose a scope',
                },
                ...scopes.map((s) => ({
                  value: s.id,
                  label: s.circuit
                    ? `${s.name} → ${s.circuit.name}`
                    : `${s.name} (${
                        s.mappingProblem === 'MULTIPLE_CIRCUITS'
                          ? 'maps to several circuits'
                          : 'maps to no circuit'
                      }: fix it in Depot model)`,
                  disabled: s.circuit === null,
                })),
              ]}
              description={
                scope?.circuit
                  ? `Forecasts on this connection constrain circuit ${scope.circuit.name}`
                  : 'Each scope must map to exactly one circuit; others are listed but disabled'
              }
              error={fieldError('scopeId')}
              data-testid="conn-scope"
            />
          </SimpleGrid>
        </Section>

        <Section title="Peer and authentication" testId="auth-section">
          <TextInput
            label="Peer base URL"
            description="Its OSCP 2.0 root, without a trailing slash, e.g. https://cp.example.com/oscp/cp/2.0"
            required
            value={form.peerBaseUrl}
            onChange={(e) => set('peerBaseUrl', e.currentTarget.value)}
            error={fieldError('peerBaseUrl')}
            data-testid="conn-peer-url"
          />
          <NativeSelect
            label="Authentication"
            value={form.authMode}
            onChange={(e) => set('authMode', e.currentTarget.value as AuthMode)}
            data={[
              { value: 'OSCP_TOKEN', label: 'OSCP token exchange (Register)' },
              {
                value: 'OAUTH2_CLIENT_CREDENTIALS',
                label: 'OAuth2 client credentials + static headers (registered out of band)',
              },
            ]}
            error={fieldError('authMode')}
            data-testid="conn-auth-mode"
          />
          <Text size="xs" c="dimmed">
            Secrets are referenced by name. Set their values here or on the{' '}
            <Anchor component={Link} to="/secrets" size="xs">
              Secrets
            </Anchor>{' '}
            page; a value is never shown again.
          </Text>
          {REFERENCES_BY_MODE[form.authMode].map((key) => (
            <ReferenceField
              key={key}
              field={key}
              name={form.references[key]}
              stored={stored}
              placeholder={`e.g. ${namePrefix}-${key}`}
              error={fieldError(`authReferences.${key}`)}
              onChange={(value) =>
                setForm((f) => ({ ...f, references: { ...f.references, [key]: value } }))
              }
            />
          ))}
        </Section>

        <Section title="Measurements and heartbeats" testId="behaviour-section">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label="Measurement publication"
              value={form.measurementPublicationMode}
              onChange={(e) =>
                set('measurementPublicationMode', e.currentTarget.value as MeasurementMode)
              }
              data={[
                { value: 'GROUP', label: 'GROUP: one measurement for the group' },
                { value: 'ASSET', label: 'ASSET: per reporting asset' },
              ]}
              error={fieldError('measurementPublicationMode')}
              data-testid="conn-measurement-mode"
            />
            <TextInput
              label="Reporting asset id"
              description={
                form.measurementPublicationMode === 'ASSET'
                  ? 'Required before an ASSET connection can be enabled'
                  : 'Only used in ASSET mode'
              }
              value={form.reportingAssetId}
              onChange={(e) => set('reportingAssetId', e.currentTarget.value)}
              error={fieldError('reportingAssetId')}
              data-testid="conn-reporting-asset"
            />
            <NativeSelect
              label="Measurement configuration"
              value={form.measurementConfiguration}
              onChange={(e) =>
                set('measurementConfiguration', e.currentTarget.value as MeasurementConfiguration)
              }
              data={MEASUREMENT_CONFIGURATIONS.map((c) => ({ value: c, label: c }))}
              error={fieldError('measurementConfiguration')}
              data-testid="conn-measurement-config"
            />
            <NativeSelect
              label="Publication interval"
              value={form.measurementPublicationIntervalSeconds}
              onChange={(e) => set('measurementPublicationIntervalSeconds', e.currentTarget.value)}
              data={INTERVALS.map((s) => ({ value: String(s), label: `${s / 60} min (${s} s)` }))}
              error={fieldError('measurementPublicationIntervalSeconds')}
              data-testid="conn-interval"
            />
            <NativeSelect
              label="Alignment"
              value={form.measurementAlignment}
              onChange={(e) => set('measurementAlignment', e.currentTarget.value as Alignment)}
              data={[
                { value: 'NONE', label: 'None' },
                { value: 'CLOCK_HOUR', label: 'Aligned to the clock hour' },
              ]}
              error={fieldError('measurementAlignment')}
              data-testid="conn-alignment"
            />
            <NumberInput
              label="Heartbeat interval we ask the peer for (s)"
              description="Empty: we ask for no heartbeats"
              value={form.requestedHeartbeatIntervalSeconds}
              onChange={(value) => set('requestedHeartbeatIntervalSeconds', value)}
              allowDecimal={false}
              allowNegative={false}
              min={1}
              max={86_400}
              error={fieldError('requestedHeartbeatIntervalSeconds')}
              data-testid="conn-heartbeat"
            />
            <NativeSelect
              label="Who starts the handshake"
              value={form.handshakeInitiator}
              onChange={(e) =>
                set('handshakeInitiator', e.currentTarget.value as HandshakeInitiator)
              }
              data={[
                { value: 'CAPACITY_PROVIDER', label: 'Capacity Provider' },
                { value: 'FLEXIBILITY_PROVIDER', label: 'We may (Flexibility Provider)' },
              ]}
              error={fieldError('handshakeInitiator')}
              data-testid="conn-handshake-initiator"
            />
            <Checkbox
              mt="lg"
              label="New handshake required after the peer was offline"
              checked={form.rehandshakeAfterOffline}
              onChange={(e) => set('rehandshakeAfterOffline', e.currentTarget.checked)}
              error={fieldError('rehandshakeAfterOffline')}
              data-testid="conn-rehandshake"
            />
          </SimpleGrid>
        </Section>

        <Section
          title="When no forecast covers now (gap policy)"
          testId="gap-section"
          description="What limits the scope while the connection is up but no forecast block covers the present."
        >
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NativeSelect
              label="Gap policy"
              value={form.gapPolicy}
              onChange={(e) => set('gapPolicy', e.currentTarget.value as GapPolicy)}
              data={[
                { value: 'SAFE_DEFAULT_CAPACITY', label: 'Safe default capacity' },
                { value: 'LOCAL_CONTROL', label: 'Local control (the circuit’s own capacity)' },
                { value: 'DEAD_RECKONING', label: 'Dead reckoning (planned)', disabled: true },
              ]}
              error={fieldError('gapPolicy')}
              data-testid="conn-gap-policy"
            />
            <NumberInput
              label="Safe default"
              value={form.safeDefaultValue}
              onChange={(value) => set('safeDefaultValue', value)}
              allowNegative={false}
              min={0}
              error={fieldError('safeDefaultCapacity.value')}
              disabled={form.gapPolicy !== 'SAFE_DEFAULT_CAPACITY'}
              data-testid="conn-safe-default-value"
            />
            <NativeSelect
              label="Unit"
              value={form.safeDefaultUnit}
              onChange={(e) => set('safeDefaultUnit', e.currentTarget.value as CapacityUnit)}
              data={[
                { value: 'A', label: 'A per phase' },
                { value: 'KW', label: 'kW' },
              ]}
              error={fieldError('safeDefaultCapacity.unit')}
              disabled={form.gapPolicy !== 'SAFE_DEFAULT_CAPACITY'}
              data-testid="conn-safe-default-unit"
            />
          </SimpleGrid>
        </Section>

        {!existing && (
          <Checkbox
            label="Enable when saved (a token-exchange connection then sends its Register to the peer at once)"
            checked={enableNow}
            onChange={(e) => setEnableNow(e.currentTarget.checked)}
            data-testid="conn-enabled"
          />
        )}
        <SaveError error={save.error} onReload={existing ? () => void onReload() : undefined} />
        {Object.keys(clientErrors).length > 0 && (
          <Alert color="red" variant="light" p="xs" role="alert" data-testid="form-error">
            <Text size="sm">Correct the fields marked above.</Text>
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} data-testid="conn-save">
            {existing ? 'Save changes' : 'Save connection'}
          </Button>
          <Button
            variant="default"
            onClick={() => navigate(existing ? `/connections/${existing.id}` : '/connections')}
            data-testid="conn-cancel"
          >
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
