import {
  Anchor,
  Badge,
  Code,
  Divider,
  Group,
  NativeSelect,
  Pagination,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import {
  PUBLICATION_STATUSES,
  useControl,
  useHistory,
  usePublications,
  useTimeline,
  type ConnectionDetail,
  type ControlView,
} from '../../api/oscp';
import { formatDateTimeSeconds } from '../../format';
import { Empty, ErrorState, LoadingState, RefreshError } from '../States';
import { ModeBadge, PublicationBadge, statusText } from './StateBadges';

export function Card({
  title,
  testId,
  extra,
  children,
}: {
  title: string;
  testId?: string;
  extra?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Paper p="md" data-testid={testId}>
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Title order={3} fz="h5">
          {title}
        </Title>
        {extra}
      </Group>
      {children}
    </Paper>
  );
}

export function Field({
  label,
  children,
  testId,
}: {
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" data-testid={testId}>
        {children}
      </Text>
    </Stack>
  );
}

function SubTitle({ children }: { children: ReactNode }) {
  return (
    <Text size="xs" fw={700} tt="uppercase" c="dimmed" mt="xs">
      {children}
    </Text>
  );
}

/**
 * Protocol times are shown to the second (heartbeats can be seconds apart), in the microgrid's zone
 * when it is known and the browser's otherwise; the zone is always named.
 */
const when = (iso: string | null | undefined, timeZone: string | undefined) =>
  iso ? formatDateTimeSeconds(iso, timeZone) : '—';

export function BindingCard({ c }: { c: ConnectionDetail }) {
  const b = c.binding;
  return (
    <Card title="Binding" testId="binding">
      <Group gap="xs" wrap="wrap">
        <Badge variant="light" color="gray" radius="sm" tt="none" data-testid="binding-group">
          group {b.groupId}
        </Badge>
        <Text c="dimmed">→</Text>
        {b.microgrid ? (
          <Anchor component={Link} to="/" size="sm" data-testid="binding-microgrid">
            {b.microgrid.name}
          </Anchor>
        ) : (
          <Text size="sm" c="orange.8">
            microgrid not found
          </Text>
        )}
        <Text c="dimmed">→</Text>
        <Text size="sm" data-testid="binding-scope">
          {b.scope?.name ?? 'scope not found'}
        </Text>
        <Text c="dimmed">→</Text>
        {b.circuit ? (
          <Anchor
            component={Link}
            to={`/circuits/${b.circuit.id}`}
            size="sm"
            data-testid="binding-circuit"
          >
            {b.circuit.name}
          </Anchor>
        ) : (
          <Tooltip
            label="Forecasts cannot be applied: the scope must map to exactly one circuit. Fix it in Depot model."
            withArrow
            multiline
            w={300}
          >
            <Text size="sm" c="orange.8" data-testid="binding-circuit-missing">
              no single circuit
            </Text>
          </Tooltip>
        )}
      </Group>
    </Card>
  );
}

function registrationText(c: ConnectionDetail): string {
  const reg = c.lifecycle.registration;
  if (reg.mode === 'OUT_OF_BAND') return 'Registered out of band (OAuth2)';
  if (reg.mode === 'TOKEN_EXCHANGE') {
    if (reg.registeredAt) return 'Token exchange completed';
    if (c.lifecycle.phase === 'REGISTERING')
      return 'Token exchange: waiting for the peer’s Register';
    if (reg.failure) return 'Token exchange failed';
    return 'Token exchange';
  }
  return c.enabled ? 'Not registered yet' : 'Not registered (the connection is not enabled)';
}

function Negotiated({ c }: { c: ConnectionDetail }) {
  const h = c.lifecycle.handshake;
  if (!h.peerRequires && !h.weRequire) {
    return (
      <Text size="sm" c="dimmed">
        Nothing negotiated yet: no handshake has been exchanged.
      </Text>
    );
  }
  const weSend = h.peerRequires?.heartbeatIntervalSeconds;
  const peerSends = h.weRequire?.heartbeatIntervalSeconds;
  const peerAsks = h.peerRequires?.measurementConfiguration ?? [];
  const weAsk = h.weRequire?.measurementConfiguration ?? [];
  return (
    <Stack gap={2}>
      <Text size="sm" data-testid="negotiated-we-send">
        {weSend
          ? `We send heartbeats every ${weSend} s`
          : 'We send no heartbeats (the peer asked for none)'}
      </Text>
      <Text size="sm" data-testid="negotiated-peer-sends">
        {peerSends ? `Peer sends heartbeats every ${peerSends} s` : 'Peer sends no heartbeats'}
      </Text>
      <Text size="sm" data-testid="negotiated-measurements">
        Measurement configuration:{' '}
        {peerAsks.length ? `peer asks for ${peerAsks.join(', ')}` : 'peer asks for none'}
        {weAsk.length ? ` · we ask for ${weAsk.join(', ')}` : ''}
      </Text>
    </Stack>
  );
}

function Outbound({
  o,
  timeZone,
}: {
  o: ConnectionDetail['lastOutbound'];
  timeZone: string | undefined;
}) {
  if (!o) return <>None yet</>;
  return (
    <Group gap={6} wrap="wrap">
      <Text size="sm" span>
        {o.kind}
      </Text>
      <PublicationBadge status={o.status} />
      <Text size="sm" span>
        {when(o.at, timeZone)}
      </Text>
      {o.lastError && (
        <Text size="xs" c={o.status === 'DELIVERED' ? 'dimmed' : 'red.7'} span>
          {o.lastError}
        </Text>
      )}
    </Group>
  );
}

export function LifecycleCard({
  c,
  timeZone,
}: {
  c: ConnectionDetail;
  timeZone: string | undefined;
}) {
  const l = c.lifecycle;
  const reg = l.registration;
  const h = l.handshake;
  return (
    <Card title="Lifecycle" testId="lifecycle">
      <Stack gap="xs">
        <SubTitle>Registration</SubTitle>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
          <Field label="Mode" testId="registration-mode">
            {registrationText(c)}
          </Field>
          <Field label="Selected version" testId="registered-version">
            {reg.selectedVersion ?? '—'}
          </Field>
          <Field label="Registered at" testId="registered-at">
            {when(reg.registeredAt, timeZone)}
          </Field>
          <Field label="Failure" testId="registration-failure">
            {reg.failure ? (
              <Text size="sm" c="red.7" component="span">
                {reg.failure.reason} ({when(reg.failure.at, timeZone)})
              </Text>
            ) : (
              '—'
            )}
          </Field>
        </SimpleGrid>
        {reg.peerBaseUrl && (
          <Text size="xs" c="dimmed">
            The peer registered its base URL <Code fz="xs">{reg.peerBaseUrl}</Code>
          </Text>
        )}
        <Divider />
        <SubTitle>Handshake</SubTitle>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Field label="Handshake" testId="handshake">
            <Group gap={6} wrap="wrap">
              <span>
                {h.completedAt ? `Completed ${when(h.completedAt, timeZone)}` : 'Not completed'}
              </span>
              {h.awaitingAcknowledgement && (
                <Badge color="blue" variant="light" radius="sm" tt="none">
                  awaiting acknowledgement
                </Badge>
              )}
              {h.required && h.completedAt && (
                <Badge color="orange" variant="light" radius="sm" tt="none">
                  new handshake required
                </Badge>
              )}
            </Group>
          </Field>
          <Field label="Negotiated behaviour" testId="negotiated">
            <Negotiated c={c} />
          </Field>
        </SimpleGrid>
        <Divider />
        <SubTitle>Heartbeats and publications</SubTitle>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
          <Field label="Last heartbeat from the peer" testId="last-heartbeat">
            {when(l.heartbeat.lastReceivedAt, timeZone)}
          </Field>
          <Field label="Offline threshold (the peer's offline_mode_at)" testId="offline-threshold">
            {when(l.heartbeat.peerOfflineAt, timeZone)}
          </Field>
          <Field label="Last went offline" testId="went-offline">
            {when(l.heartbeat.wentOfflineAt, timeZone)}
          </Field>
          <Field label="Last outbound publication" testId="last-outbound">
            <Outbound o={c.lastOutbound} timeZone={timeZone} />
          </Field>
          <Field label="Last heartbeat sent" testId="last-heartbeat-sent">
            <Outbound o={c.lastHeartbeatSent} timeZone={timeZone} />
          </Field>
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

export function ErrorCard({ c, timeZone }: { c: ConnectionDetail; timeZone: string | undefined }) {
  const e = c.latestError;
  return (
    <Card
      title="Latest error"
      testId="latest-error"
      extra={
        e ? (
          <Badge
            color={e.clearedAt ? 'gray' : 'red'}
            variant="light"
            radius="sm"
            tt="none"
            data-testid="latest-error-state"
          >
            {e.clearedAt ? 'cleared' : 'uncleared'}
          </Badge>
        ) : undefined
      }
    >
      {!e ? (
        <Text size="sm" c="dimmed">
          No errors
        </Text>
      ) : (
        <Stack gap="xs" data-cleared={String(Boolean(e.clearedAt))}>
          <Text
            size="sm"
            fw={600}
            c={e.clearedAt ? 'dimmed' : 'red.7'}
            data-testid="latest-error-message"
          >
            {e.message}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
            <Field label="Attempted">{e.attempted}</Field>
            <Field label="URL">
              {e.url ? (
                <Code fz="xs" style={{ wordBreak: 'break-all' }}>
                  {e.url}
                </Code>
              ) : (
                '—'
              )}
            </Field>
            <Field label="Status">
              {e.status ? statusText(e.status) : e.url ? 'no response' : '—'}
            </Field>
            <Field label="When">{when(e.at, timeZone)}</Field>
          </SimpleGrid>
          {e.clearedAt && (
            <Text size="xs" c="dimmed" data-testid="error-cleared">
              Cleared at {when(e.clearedAt, timeZone)} by a later success
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}

type ForecastSummary = NonNullable<ConnectionDetail['control']['lastForecast']>;

function ForecastOutcome({
  last,
  requestId,
  timeZone,
}: {
  last: ForecastSummary;
  requestId?: string;
  timeZone: string | undefined;
}) {
  return (
    <>
      <Group gap="xs">
        <Badge
          color={last.outcome === 'ACCEPTED' ? 'green' : 'red'}
          variant="light"
          radius="sm"
          data-testid="last-forecast-outcome"
        >
          {last.outcome}
        </Badge>
        <Text size="sm">
          {last.type} · {when(last.at, timeZone)}
          {requestId && (
            <>
              {' '}
              · request <Code>{requestId}</Code>
            </>
          )}
        </Text>
      </Group>
      {last.reason && (
        <Text size="sm" c="red.7">
          {last.reason}
        </Text>
      )}
    </>
  );
}

function ForecastBlocks({
  blocks,
  timeZone,
}: {
  blocks: NonNullable<ControlView['lastForecast']>['blocks'];
  timeZone: string | undefined;
}) {
  return (
    <Table.ScrollContainer minWidth={500} mah={240}>
      <Table verticalSpacing={2} fz="xs" data-testid="forecast-blocks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Start</Table.Th>
            <Table.Th>End</Table.Th>
            <Table.Th>Capacity</Table.Th>
            <Table.Th>Phase</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {blocks.map((b, i) => (
            <Table.Tr key={i}>
              <Table.Td>{when(b.start_time, timeZone)}</Table.Td>
              <Table.Td>{when(b.end_time, timeZone)}</Table.Td>
              <Table.Td className="num">
                {b.capacity} {b.unit}
              </Table.Td>
              <Table.Td>{b.phase}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * The operating mode of the bound scope. Its details (since when, forecast blocks) come from the
 * control endpoint; until they arrive, or when they cannot be loaded, the connection's own control
 * summary keeps the mode on screen so a fallback is never hidden.
 */
export function ControlCard({
  c,
  timeZone,
}: {
  c: ConnectionDetail;
  timeZone: string | undefined;
}) {
  const control = useControl(c.id);
  const detail = control.data;
  const mode = detail ?? c.control;
  const last = detail ? detail.lastForecast : c.control.lastForecast;
  return (
    <Card
      title="Operating mode"
      testId="control"
      extra={<ModeBadge mode={mode.mode} reason={mode.reason} />}
    >
      <Stack gap="xs">
        {control.isError && detail && <RefreshError error={control.error} />}
        <Text size="sm" data-testid="mode-reason">
          {mode.reason}
          {detail?.modeSince ? ` (since ${when(detail.modeSince, timeZone)})` : ''}
        </Text>
        {detail?.disconnectedAt && (
          <Text size="sm" c="dimmed" data-testid="disconnected-note">
            OSCP control ended at {when(detail.disconnectedAt, timeZone)}; local control resumed.
          </Text>
        )}
        <Text size="sm" fw={600} mt="xs">
          Last received forecast
        </Text>
        {!last ? (
          <Text size="sm" c="dimmed">
            None yet
          </Text>
        ) : (
          <Stack gap={4} data-testid="last-forecast">
            <ForecastOutcome
              last={last}
              requestId={detail?.lastForecast?.requestId}
              timeZone={timeZone}
            />
            {detail?.lastForecast && (
              <ForecastBlocks blocks={detail.lastForecast.blocks} timeZone={timeZone} />
            )}
          </Stack>
        )}
        {control.isPending ? (
          <LoadingState rows={2} label="Loading the forecast details…" />
        ) : control.isError && !detail ? (
          <ErrorState
            error={control.error}
            title="Could not load the forecast details"
            onRetry={() => void control.refetch()}
          />
        ) : null}
      </Stack>
    </Card>
  );
}

/** A history value as the operator reads it: strings bare, no value as "none". */
function historyValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function HistoryCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const history = useHistory(id);
  return (
    <Card title="Configuration history" testId="history">
      {history.isError && history.data && <RefreshError error={history.error} mb="sm" />}
      {history.isPending ? (
        <LoadingState rows={2} label="Loading the history…" />
      ) : history.isError && !history.data ? (
        <ErrorState
          error={history.error}
          title="Could not load the history"
          onRetry={() => void history.refetch()}
        />
      ) : history.data.history.length === 0 ? (
        <Empty testId="empty-history" title="No configuration changes recorded" />
      ) : (
        <Stack gap="sm">
          {history.data.history.map((h) => (
            <Stack
              key={h.version}
              gap={2}
              data-testid="history-entry"
              data-type={h.type}
              data-version={h.version}
            >
              <Group gap="xs" wrap="wrap">
                <Text size="sm" fw={600}>
                  {h.summary}
                </Text>
                <Text size="xs" c="dimmed">
                  by <b>{h.by}</b> · {when(h.at, timeZone)} · configuration version {h.version}
                </Text>
              </Group>
              {h.changes.map((c) => (
                <Text key={c.field} size="xs" data-testid="history-change">
                  <Code fz="xs">{c.field}</Code>: {historyValue(c.from)} → {historyValue(c.to)}
                </Text>
              ))}
            </Stack>
          ))}
        </Stack>
      )}
    </Card>
  );
}

const PAGE = 25;
/** What we send to a Capacity Provider (the outbox kinds). */
const PUBLICATION_KINDS = ['Register', 'Handshake', 'HandshakeAcknowledge', 'Heartbeat'];

function PageFooter({
  total,
  page,
  onPage,
  noun,
  testId,
}: {
  total: number;
  page: number;
  onPage: (page: number) => void;
  noun: string;
  testId: string;
}) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  return (
    <Group justify="space-between" mt="sm" wrap="wrap">
      <Text size="xs" c="dimmed" data-testid={`${testId}-total`}>
        {total === 0
          ? `No ${noun}`
          : `${(page - 1) * PAGE + 1}–${Math.min(page * PAGE, total)} of ${total} ${noun}`}
      </Text>
      {pages > 1 && (
        <Pagination
          size="sm"
          total={pages}
          value={Math.min(page, pages)}
          onChange={onPage}
          data-testid={`${testId}-pagination`}
        />
      )}
    </Group>
  );
}

export function PublicationsCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({
    limit: String(PAGE),
    offset: String((page - 1) * PAGE),
    ...(status ? { status } : {}),
    ...(kind ? { kind } : {}),
  }).toString();
  const publications = usePublications(id, query);
  const filtered = Boolean(status || kind);
  const filters = (
    <Group gap="xs">
      <NativeSelect
        size="xs"
        aria-label="Status"
        value={status}
        onChange={(e) => {
          setStatus(e.currentTarget.value);
          setPage(1);
        }}
        data={[
          { value: '', label: 'Any status' },
          ...PUBLICATION_STATUSES.map((v) => ({ value: v, label: v })),
        ]}
        data-testid="publications-status"
      />
      <NativeSelect
        size="xs"
        aria-label="Type"
        value={kind}
        onChange={(e) => {
          setKind(e.currentTarget.value);
          setPage(1);
        }}
        data={[
          { value: '', label: 'Any type' },
          ...PUBLICATION_KINDS.map((v) => ({ value: v, label: v })),
        ]}
        data-testid="publications-kind"
      />
    </Group>
  );
  return (
    <Card title="Publications" testId="publications" extra={filters}>
      {publications.isError && publications.data && (
        <RefreshError error={publications.error} mb="sm" />
      )}
      {publications.isPending ? (
        <LoadingState rows={3} label="Loading publications…" />
      ) : publications.isError && !publications.data ? (
        <ErrorState
          error={publications.error}
          title="Could not load the publications"
          onRetry={() => void publications.refetch()}
        />
      ) : publications.data.items.length === 0 ? (
        <Empty
          testId="empty-publications"
          title={filtered ? 'No publications match these filters' : 'No publications'}
          description={filtered ? undefined : 'Nothing has been sent to this peer yet.'}
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={1300}>
            <Table
              data-testid="publications-table"
              verticalSpacing={4}
              fz="xs"
              style={{ opacity: publications.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Request id</Table.Th>
                  <Table.Th>Correlation id</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {publications.data.items.map((p) => (
                  <Table.Tr
                    key={p.id}
                    data-testid="publication-row"
                    data-kind={p.kind}
                    data-status={p.status}
                  >
                    <Table.Td fw={500}>{p.kind}</Table.Td>
                    <Table.Td className="nowrap">
                      <Code fz="xs">{p.requestId}</Code>
                    </Table.Td>
                    <Table.Td className="nowrap">
                      {p.correlationId ? <Code fz="xs">{p.correlationId}</Code> : '—'}
                    </Table.Td>
                    <Table.Td className="num nowrap">
                      {p.attempts} of {p.maxAttempts}
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={0}>
                        <PublicationBadge status={p.status} />
                        {p.status === 'RETRYING' && p.nextAttemptAt && (
                          <Text size="xs" c="dimmed" className="nowrap">
                            next {when(p.nextAttemptAt, timeZone)}
                          </Text>
                        )}
                        {p.status === 'DELIVERED' && p.deliveredAt && (
                          <Text size="xs" c="dimmed" className="nowrap">
                            {when(p.deliveredAt, timeZone)}
                          </Text>
                        )}
                      </Stack>
                    </Table.Td>
                    <Table.Td maw={320}>
                      {p.lastError ? (
                        <Tooltip
                          label={`${p.lastHttpStatus ? `HTTP ${p.lastHttpStatus} · ` : ''}${p.lastUrl ?? 'no URL'}`}
                          withArrow
                          multiline
                          w={360}
                        >
                          <Text size="xs" c={p.status === 'DELIVERED' ? 'dimmed' : 'red.7'}>
                            {p.lastHttpStatus ? `${p.lastHttpStatus}: ` : ''}
                            {p.lastError}
                          </Text>
                        </Tooltip>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td className="nowrap">{when(p.createdAt, timeZone)}</Table.Td>
                    <Table.Td className="nowrap">{when(p.updatedAt, timeZone)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PageFooter
            total={publications.data.total}
            page={page}
            onPage={setPage}
            noun="publications"
            testId="publications"
          />
        </>
      )}
    </Card>
  );
}

type Data = Record<string, unknown>;
const str = (v: unknown, fallback = '—') =>
  v === null || v === undefined || v === '' ? fallback : String(v);
const behaviour = (v: unknown) => {
  const b = v as { heartbeatIntervalSeconds?: number | null } | null | undefined;
  return b?.heartbeatIntervalSeconds
    ? `heartbeats every ${b.heartbeatIntervalSeconds} s`
    : 'no heartbeats';
};
const limitText = (v: unknown) => {
  const l = v as { value?: number; unit?: string } | null | undefined;
  return l && typeof l.value === 'number'
    ? ` (${l.value} ${l.unit === 'KW' ? 'kW' : (l.unit ?? '')})`
    : '';
};

/** One line per audit event, readable without opening its data. */
function summarize(type: string, d: Data, timeZone: string | undefined): string {
  switch (type) {
    case 'OscpConnectionConfigured':
      return `Connection configured by ${str(d.by, 'the system')}`;
    case 'OscpConnectionEdited':
      return `Edited by ${str(d.by, 'the system')}: ${
        Array.isArray(d.changes)
          ? (d.changes as { field: string }[]).map((c) => c.field).join(', ')
          : 'profile'
      }`;
    case 'OscpConnectionEnabled':
      return `Enabled by ${str(d.by, 'the system')}`;
    case 'OscpConnectionDisabled':
      return d.intentionalDisconnect
        ? `Disconnected on purpose by ${str(d.by, 'the system')}`
        : `Disabled by ${str(d.by, 'the system')}`;
    case 'OscpRegistrationStarted':
      return `Registration started (${d.initiatedBy === 'CAPACITY_PROVIDER' ? 'the peer registered first' : 'we sent Register'}, request ${str(d.requestId)})`;
    case 'OscpPeerRegistered':
      return `Peer registered: version ${str(d.version)} at ${str(d.peerBaseUrl)}`;
    case 'OscpRegisteredOutOfBand':
      return 'Registered out of band (OAuth2): no Register exchange';
    case 'OscpRegistrationFailed':
      return `Registration failed: ${str(d.reason)}`;
    case 'OscpHandshakeSent':
      return `Handshake sent, asking for ${behaviour(d.requiredBehaviour)}`;
    case 'OscpHandshakeReceived':
      return `Handshake received: the peer asks for ${behaviour(d.requiredBehaviour)}`;
    case 'OscpHandshakeRejected':
      return `Handshake rejected: ${str(d.reason)}`;
    case 'OscpHandshakeCompleted':
      return `Handshake completed: we send ${behaviour(d.peerRequires)}, the peer sends ${behaviour(d.weRequire)}`;
    case 'OscpPeerOnline':
      return `Peer online (offline after ${d.offlineModeAt ? when(String(d.offlineModeAt), timeZone) : '—'})`;
    case 'OscpPeerOffline':
      return `Peer offline (last heartbeat ${d.lastHeartbeatAt ? when(String(d.lastHeartbeatAt), timeZone) : 'never'})${d.handshakeRequired ? ', new handshake required' : ''}`;
    case 'OscpOutboundAttempted':
      return `${str(d.kind)} attempt ${str(d.attempt)}: ${str(d.status)}${
        d.httpStatus ? ` (HTTP ${String(d.httpStatus)})` : ''
      }${d.error ? `: ${String(d.error)}` : ''}`;
    case 'OscpInboundRefused':
      return `Refused ${str(d.endpoint)} with ${str(d.status)}: ${str(d.reason)}`;
    case 'OscpForecastReceived':
      return `Forecast ${str(d.type)} received (${str(d.blocks, '0')} blocks, request ${str(d.requestId)})`;
    case 'OscpForecastAccepted':
      return `Forecast ${str(d.type)} accepted (request ${str(d.requestId)})`;
    case 'OscpForecastRejected':
      return `Forecast ${str(d.type)} rejected: ${str(d.reason)}`;
    case 'OscpModeChanged':
      return `Mode ${str(d.from)} → ${str(d.to)}: ${str(d.reason)}`;
    case 'OscpFallbackEntered':
      return `Fallback mode entered${limitText(d.limit)}: ${str(d.reason)}`;
    case 'OscpFallbackExited':
      return `Fallback mode ended: ${str(d.reason)}`;
    case 'OscpGapPolicyApplied':
      return `Gap policy ${str(d.policy)} applied${limitText(d.limit)}: ${str(d.reason)}`;
    case 'OscpControlHandedOver':
      return str(d.message, 'OSCP control ended; local control resumed');
    case 'OscpAdjustmentRequested':
      return `Adjustment of the ${str(d.type)} forecast requested by ${str(d.by)} (request ${str(d.requestId)})`;
    case 'OscpComplianceErrorReported':
      return `Non-compliance with forecast ${str(d.forecastRequestId)} reported by ${str(d.by)}: ${str(d.message)}`;
    default:
      return type.replace(/^Oscp/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  }
}

const TIMELINE_GROUPS: { label: string; types: string[] }[] = [
  { label: 'All', types: [] },
  {
    label: 'Configuration',
    types: [
      'OscpConnectionConfigured',
      'OscpConnectionEdited',
      'OscpConnectionEnabled',
      'OscpConnectionDisabled',
    ],
  },
  {
    label: 'Registration',
    types: [
      'OscpRegistrationStarted',
      'OscpPeerRegistered',
      'OscpRegisteredOutOfBand',
      'OscpRegistrationFailed',
    ],
  },
  {
    label: 'Handshake',
    types: [
      'OscpHandshakeSent',
      'OscpHandshakeReceived',
      'OscpHandshakeCompleted',
      'OscpHandshakeRejected',
    ],
  },
  { label: 'Liveness', types: ['OscpPeerOnline', 'OscpPeerOffline'] },
  { label: 'Deliveries', types: ['OscpOutboundAttempted'] },
  { label: 'Refused calls', types: ['OscpInboundRefused'] },
  {
    label: 'Forecasts',
    types: ['OscpForecastReceived', 'OscpForecastAccepted', 'OscpForecastRejected'],
  },
  {
    label: 'Sent by operators',
    types: ['OscpAdjustmentRequested', 'OscpComplianceErrorReported'],
  },
  {
    label: 'Mode and fallback',
    types: [
      'OscpModeChanged',
      'OscpFallbackEntered',
      'OscpFallbackExited',
      'OscpGapPolicyApplied',
      'OscpControlHandedOver',
    ],
  },
];

const TYPE_COLOR: Record<string, string> = {
  OscpRegistrationFailed: 'red',
  OscpHandshakeRejected: 'red',
  OscpInboundRefused: 'red',
  OscpForecastRejected: 'red',
  OscpPeerOffline: 'orange',
  OscpPeerOnline: 'green',
  OscpHandshakeCompleted: 'teal',
  OscpPeerRegistered: 'cyan',
  OscpRegisteredOutOfBand: 'cyan',
};

export function TimelineCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const [group, setGroup] = useState(0);
  const [page, setPage] = useState(1);
  const types = TIMELINE_GROUPS[group]?.types ?? [];
  const query = new URLSearchParams({
    limit: String(PAGE),
    offset: String((page - 1) * PAGE),
    ...(types.length ? { kind: types.join(',') } : {}),
  }).toString();
  const timeline = useTimeline(id, query);
  const filter = (
    <NativeSelect
      size="xs"
      aria-label="Kind"
      value={String(group)}
      onChange={(e) => {
        setGroup(Number(e.currentTarget.value));
        setPage(1);
      }}
      data={TIMELINE_GROUPS.map((g, i) => ({ value: String(i), label: g.label }))}
      data-testid="timeline-kind"
    />
  );
  return (
    <Card title="Audit timeline" testId="timeline" extra={filter}>
      {timeline.isError && timeline.data && <RefreshError error={timeline.error} mb="sm" />}
      {timeline.isPending ? (
        <LoadingState rows={3} label="Loading the timeline…" />
      ) : timeline.isError && !timeline.data ? (
        <ErrorState
          error={timeline.error}
          title="Could not load the timeline"
          onRetry={() => void timeline.refetch()}
        />
      ) : timeline.data.items.length === 0 ? (
        <Empty testId="empty-timeline" title="Nothing recorded of this kind" />
      ) : (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table
              verticalSpacing={4}
              fz="xs"
              data-testid="timeline-table"
              style={{ opacity: timeline.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={190}>Time</Table.Th>
                  <Table.Th w={200}>Type</Table.Th>
                  <Table.Th>Summary</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {timeline.data.items.map((item) => (
                  <Table.Tr key={item.position} data-testid="timeline-entry" data-type={item.type}>
                    <Table.Td className="nowrap" c="dimmed">
                      {when(item.at, timeZone)}
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        color={TYPE_COLOR[item.type] ?? 'gray'}
                        variant="light"
                        radius="sm"
                        tt="none"
                        styles={{ root: { maxWidth: '100%' } }}
                      >
                        {item.type.replace(/^Oscp/, '')}
                      </Badge>
                    </Table.Td>
                    <Table.Td data-testid="timeline-summary">
                      {summarize(item.type, item.data, timeZone)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PageFooter
            total={timeline.data.total}
            page={page}
            onPage={setPage}
            noun="events"
            testId="timeline"
          />
        </>
      )}
    </Card>
  );
}
