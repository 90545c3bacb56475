import {
  Anchor,
  Badge,
  Code,
  Group,
  NativeSelect,
  Pagination,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import {
  usePublications,
  useTimeline,
  type ConnectionDetail,
  type ControlView,
  type HistoryEntry,
} from '../../api/oscp';
import { formatDateTime } from '../../format';
import { Empty, ErrorState, LoadingState } from '../States';
import { ModeBadge, PublicationBadge } from './StateBadges';

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
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="h5">
          {title}
        </Title>
        {extra}
      </Group>
      {children}
    </Paper>
  );
}

function Field({
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

const when = (iso: string | null | undefined) => (iso ? formatDateTime(iso) : '—');

export function BindingCard({ c }: { c: ConnectionDetail }) {
  const b = c.binding;
  return (
    <Card title="Binding" testId="binding">
      <Group gap="xs" wrap="wrap">
        <Badge variant="light" color="gray" radius="sm" tt="none">
          group {b.groupId}
        </Badge>
        <Text c="dimmed">→</Text>
        {b.microgrid ? (
          <Anchor component={Link} to="/" size="sm">
            {b.microgrid.name}
          </Anchor>
        ) : (
          <Text size="sm">—</Text>
        )}
        <Text c="dimmed">→</Text>
        <Text size="sm">{b.scope?.name ?? '—'}</Text>
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
          <Text size="sm">no circuit</Text>
        )}
      </Group>
    </Card>
  );
}

export function LifecycleCard({ c }: { c: ConnectionDetail }) {
  const l = c.lifecycle;
  const reg = l.registration;
  return (
    <Card title="Lifecycle" testId="lifecycle">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
        <Field label="Registration">
          {reg.mode === 'OUT_OF_BAND'
            ? 'Registered out of band (OAuth2): no Register exchange'
            : reg.registeredAt
              ? `Token exchange completed ${when(reg.registeredAt)}`
              : reg.failure
                ? 'Failed'
                : l.phase === 'REGISTERING'
                  ? 'Waiting for the peer’s Register'
                  : 'Not registered'}
        </Field>
        <Field label="Selected version" testId="registered-version">
          {reg.selectedVersion ?? '—'}
        </Field>
        <Field label="Registration failure">
          {reg.failure ? `${reg.failure.reason} (${when(reg.failure.at)})` : '—'}
        </Field>
        <Field label="Handshake">
          {l.handshake.completedAt ? `Completed ${when(l.handshake.completedAt)}` : 'Not completed'}
          {l.handshake.awaitingAcknowledgement && ' · awaiting acknowledgement'}
          {l.handshake.required && l.handshake.completedAt && ' · new handshake required'}
        </Field>
        <Field label="Negotiated behaviour" testId="negotiated">
          {l.handshake.peerRequires?.heartbeatIntervalSeconds
            ? `We send heartbeats every ${l.handshake.peerRequires.heartbeatIntervalSeconds} s`
            : 'We send no heartbeats'}
          {' · '}
          {l.handshake.weRequire?.heartbeatIntervalSeconds
            ? `peer sends heartbeats every ${l.handshake.weRequire.heartbeatIntervalSeconds} s`
            : 'peer sends no heartbeats'}
          {l.handshake.peerRequires?.measurementConfiguration.length
            ? ` · measurements ${l.handshake.peerRequires.measurementConfiguration.join(', ')}`
            : ''}
        </Field>
        <Field label="Last heartbeat from the peer" testId="last-heartbeat">
          {when(l.heartbeat.lastReceivedAt)}
        </Field>
        <Field label="Offline threshold (peer's offline_mode_at)" testId="offline-threshold">
          {when(l.heartbeat.peerOfflineAt)}
        </Field>
        <Field label="Went offline">{when(l.heartbeat.wentOfflineAt)}</Field>
        <Field label="Last outbound publication" testId="last-outbound">
          {c.lastOutbound
            ? `${c.lastOutbound.kind} · ${c.lastOutbound.status} · ${when(c.lastOutbound.at)}`
            : 'None yet'}
        </Field>
        <Field label="Last heartbeat sent">
          {c.lastHeartbeatSent
            ? `${c.lastHeartbeatSent.status} · ${when(c.lastHeartbeatSent.at)}`
            : 'None yet'}
        </Field>
      </SimpleGrid>
    </Card>
  );
}

export function ErrorCard({ c }: { c: ConnectionDetail }) {
  const e = c.latestError;
  return (
    <Card title="Latest error" testId="latest-error">
      {!e ? (
        <Text size="sm" c="dimmed">
          No errors
        </Text>
      ) : (
        <Stack gap={4}>
          <Text size="sm" fw={600} c={e.clearedAt ? 'dimmed' : 'red.7'}>
            {e.message}
          </Text>
          <Text size="xs" c="dimmed">
            {e.attempted}
            {e.url ? ` · ${e.url}` : ''}
            {e.status ? ` · ${e.status}` : ''} · {when(e.at)}
          </Text>
          {e.clearedAt && (
            <Text size="xs" c="green.7" data-testid="error-cleared">
              Cleared at {when(e.clearedAt)} by a later success
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}

export function ControlCard({ control }: { control: ControlView | undefined }) {
  if (!control) return null;
  const last = control.lastForecast;
  return (
    <Card
      title="Operating mode"
      testId="control"
      extra={<ModeBadge mode={control.mode} reason={control.reason} />}
    >
      <Stack gap="xs">
        <Text size="sm" data-testid="mode-reason">
          {control.reason}
          {control.modeSince ? ` (since ${when(control.modeSince)})` : ''}
        </Text>
        {control.disconnectedAt && (
          <Text size="sm" c="dimmed" data-testid="disconnected-note">
            OSCP control ended at {when(control.disconnectedAt)}; local control resumed.
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
                {last.type} · {when(last.at)} · request <Code>{last.requestId}</Code>
              </Text>
            </Group>
            {last.reason && (
              <Text size="sm" c="red.7">
                {last.reason}
              </Text>
            )}
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
                  {last.blocks.map((b, i) => (
                    <Table.Tr key={i}>
                      <Table.Td>{when(b.start_time)}</Table.Td>
                      <Table.Td>{when(b.end_time)}</Table.Td>
                      <Table.Td className="num">
                        {b.capacity} {b.unit}
                      </Table.Td>
                      <Table.Td>{b.phase}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

export function HistoryCard({ history }: { history: HistoryEntry[] | undefined }) {
  return (
    <Card title="Configuration history" testId="history">
      {!history ? (
        <LoadingState rows={2} />
      ) : (
        <Stack gap="xs">
          {history.map((h) => (
            <Stack key={h.version} gap={2} data-testid="history-entry">
              <Text size="sm">
                <b>{h.summary}</b> · {h.by} · {when(h.at)} · version {h.version}
              </Text>
              {h.changes.map((c) => (
                <Text key={c.field} size="xs" c="dimmed" data-testid="history-change">
                  {c.field}: {JSON.stringify(c.from)} → {JSON.stringify(c.to)}
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

export function PublicationsCard({ id }: { id: string }) {
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
  const filters = (
    <Group gap="xs">
      <NativeSelect
        size="xs"
        value={status}
        onChange={(e) => {
          setStatus(e.currentTarget.value);
          setPage(1);
        }}
        data={['', 'PENDING', 'SENDING', 'DELIVERED', 'RETRYING', 'FAILED'].map((v) => ({
          value: v,
          label: v || 'Any status',
        }))}
        data-testid="publications-status"
      />
      <NativeSelect
        size="xs"
        value={kind}
        onChange={(e) => {
          setKind(e.currentTarget.value);
          setPage(1);
        }}
        data={['', 'Register', 'Handshake', 'HandshakeAcknowledge', 'Heartbeat'].map((v) => ({
          value: v,
          label: v || 'Any type',
        }))}
        data-testid="publications-kind"
      />
    </Group>
  );
  return (
    <Card title="Publications" testId="publications" extra={filters}>
      {publications.isPending ? (
        <LoadingState rows={3} />
      ) : publications.isError ? (
        <ErrorState error={publications.error} />
      ) : publications.data.items.length === 0 ? (
        <Empty
          testId="empty-publications"
          title="No publications"
          description="Nothing has been sent to this peer yet."
        />
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table data-testid="publications-table" verticalSpacing={4} fz="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Request id</Table.Th>
                  <Table.Th>Correlation id</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Updated</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {publications.data.items.map((p) => (
                  <Table.Tr key={p.id} data-testid="publication-row">
                    <Table.Td>{p.kind}</Table.Td>
                    <Table.Td>
                      <PublicationBadge status={p.status} />
                    </Table.Td>
                    <Table.Td className="num">
                      {p.attempts}/{p.maxAttempts}
                    </Table.Td>
                    <Table.Td>
                      <Code fz="xs">{p.requestId}</Code>
                    </Table.Td>
                    <Table.Td>
                      {p.correlationId ? <Code fz="xs">{p.correlationId}</Code> : '—'}
                    </Table.Td>
                    <Table.Td c={p.lastError ? 'red.7' : undefined}>{p.lastError ?? '—'}</Table.Td>
                    <Table.Td>{when(p.createdAt)}</Table.Td>
                    <Table.Td>{when(p.updatedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pagination
            mt="sm"
            size="sm"
            total={Math.max(1, Math.ceil(publications.data.total / PAGE))}
            value={page}
            onChange={setPage}
          />
        </>
      )}
    </Card>
  );
}

/** One line per audit event, readable without opening its data. */
function summarize(type: string, data: Record<string, unknown>): string {
  const d = data as Record<string, string | number | null | undefined>;
  switch (type) {
    case 'OscpOutboundAttempted':
      return `${d.kind} attempt ${d.attempt}: ${d.status}${d.error ? ` (${d.error})` : ''}`;
    case 'OscpInboundRefused':
      return `Refused ${d.endpoint} with ${d.status}: ${d.reason}`;
    case 'OscpForecastAccepted':
      return `Forecast ${d.type} accepted (request ${d.requestId})`;
    case 'OscpForecastRejected':
      return `Forecast ${d.type} rejected: ${d.reason}`;
    case 'OscpModeChanged':
      return `Mode ${d.from} → ${d.to}: ${d.reason}`;
    case 'OscpPeerOffline':
      return `Peer offline (last heartbeat ${d.lastHeartbeatAt ?? 'never'})`;
    case 'OscpPeerOnline':
      return 'Peer online';
    case 'OscpRegistrationFailed':
      return `Registration failed: ${d.reason}`;
    case 'OscpControlHandedOver':
      return String(d.message ?? 'OSCP control ended');
    default:
      return type.replace(/^Oscp/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  }
}

const TIMELINE_KINDS = [
  '',
  'OscpConnectionConfigured,OscpConnectionEdited,OscpConnectionEnabled,OscpConnectionDisabled',
  'OscpRegistrationStarted,OscpPeerRegistered,OscpRegisteredOutOfBand,OscpRegistrationFailed',
  'OscpHandshakeSent,OscpHandshakeReceived,OscpHandshakeCompleted,OscpHandshakeRejected',
  'OscpPeerOnline,OscpPeerOffline',
  'OscpOutboundAttempted',
  'OscpInboundRefused',
  'OscpForecastAccepted,OscpForecastRejected',
  'OscpModeChanged,OscpFallbackEntered,OscpFallbackExited,OscpGapPolicyApplied,OscpControlHandedOver',
];
const KIND_LABEL = [
  'All',
  'Configuration',
  'Registration',
  'Handshake',
  'Liveness',
  'Deliveries',
  'Refused calls',
  'Forecasts',
  'Mode and fallback',
];

export function TimelineCard({ id }: { id: string }) {
  const [kind, setKind] = useState('');
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({
    limit: String(PAGE),
    offset: String((page - 1) * PAGE),
    ...(kind ? { kind } : {}),
  }).toString();
  const timeline = useTimeline(id, query);
  const filter = (
    <NativeSelect
      size="xs"
      value={kind}
      onChange={(e) => {
        setKind(e.currentTarget.value);
        setPage(1);
      }}
      data={TIMELINE_KINDS.map((v, i) => ({ value: v, label: KIND_LABEL[i]! }))}
      data-testid="timeline-kind"
    />
  );
  return (
    <Card title="Audit timeline" testId="timeline" extra={filter}>
      {timeline.isPending ? (
        <LoadingState rows={3} />
      ) : timeline.isError ? (
        <ErrorState error={timeline.error} />
      ) : timeline.data.items.length === 0 ? (
        <Empty testId="empty-timeline" title="Nothing recorded of this kind" />
      ) : (
        <>
          <Stack gap={4}>
            {timeline.data.items.map((item) => (
              <Group
                key={item.position}
                gap="xs"
                wrap="nowrap"
                data-testid="timeline-entry"
                data-type={item.type}
              >
                <Text size="xs" c="dimmed" w={170} style={{ flexShrink: 0 }}>
                  {when(item.at)}
                </Text>
                <Text size="sm">{summarize(item.type, item.data)}</Text>
              </Group>
            ))}
          </Stack>
          <Pagination
            mt="sm"
            size="sm"
            total={Math.max(1, Math.ceil(timeline.data.total / PAGE))}
            value={page}
            onChange={setPage}
          />
        </>
      )}
    </Card>
  );
}

export { Field };
