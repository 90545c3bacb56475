import { Badge, Code, Divider, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ConnectionDetail } from '../../api/types';
import { Card, Field, SubTitle, when } from './CardParts';
import { PublicationBadge } from './StateBadges';

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
