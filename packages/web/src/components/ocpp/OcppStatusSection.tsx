import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useCircuitChargePoints, type ChargePointView } from '../../api/ocpp';
import type { CircuitDetail } from '../../api/types';
import { formatAmps, formatRecentTime } from '../../format';
import { NO_TRUNCATE } from '../badges';
import { ErrorState, LoadingState, RefreshError } from '../States';
import { OcppLogModal } from './OcppLogModal';

const ANSWER_TEXT: Record<string, string> = {
  ACCEPTED: 'Accepted',
  REJECTED: 'Rejected',
  NOT_SUPPORTED: 'Not supported',
  TIMEOUT: 'No answer',
  FAILED: 'Not delivered',
};

function LimitCell({ cp, timeZone }: { cp: ChargePointView; timeZone: string }) {
  const limit = cp.limit;
  if (!limit)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  const waiting = limit.state !== 'DONE' && limit.desiredA !== limit.sentA;
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        <Text size="sm" className="num nowrap" data-testid="ocpp-limit-sent">
          {limit.sentA === null ? 'not sent yet' : formatAmps(limit.sentA)}
        </Text>
        {limit.answer && (
          <Badge
            size="sm"
            variant="light"
            color={limit.answer === 'ACCEPTED' ? 'teal' : 'red'}
            tt="none"
            styles={NO_TRUNCATE}
            data-testid="ocpp-limit-answer"
            data-answer={limit.answer}
          >
            {ANSWER_TEXT[limit.answer] ?? limit.answer}
          </Badge>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {waiting
          ? `sending ${formatAmps(limit.desiredA)}…`
          : limit.answeredAt
            ? formatRecentTime(limit.answeredAt, timeZone)
            : ''}
        {limit.answerDetail ? ` · ${limit.answerDetail}` : ''}
      </Text>
    </Stack>
  );
}

/**
 * Each OCPP charger of the circuit: connection, connector status, the last message, the limit sent
 * and the charger's answer; its message log on demand.
 */
export function OcppStatusSection({ circuit }: { circuit: CircuitDetail }) {
  const chargePoints = useCircuitChargePoints(circuit.id);
  const [logOf, setLogOf] = useState<{ id: string; name: string } | null>(null);
  const names = new Map(circuit.chargers.map((c) => [c.id, c.name]));
  const measured = new Map(circuit.chargers.map((c) => [c.id, c.lastReading?.currentA]));

  let body;
  if (chargePoints.isPending) body = <LoadingState rows={3} label="Loading OCPP status…" />;
  else if (chargePoints.isError && !chargePoints.data)
    body = <ErrorState error={chargePoints.error} title="Could not load the OCPP status" />;
  else if (chargePoints.data.chargePoints.length === 0)
    body = (
      <Text size="sm" c="dimmed" data-testid="ocpp-none">
        No charger of this circuit has an OCPP identity. Give one in Depot model → charger → OCPP.
      </Text>
    );
  else
    body = (
      <Stack gap="xs">
        {chargePoints.isError && <RefreshError error={chargePoints.error} />}
        <Table.ScrollContainer minWidth={760}>
          <Table data-testid="ocpp-table" striped="even">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Charger</Table.Th>
                <Table.Th>Connection</Table.Th>
                <Table.Th>Connectors</Table.Th>
                <Table.Th>Last message</Table.Th>
                <Table.Th>Limit sent</Table.Th>
                <Table.Th ta="right">Drawing</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...chargePoints.data.chargePoints]
                .sort((a, b) =>
                  (names.get(a.chargerId) ?? '').localeCompare(names.get(b.chargerId) ?? ''),
                )
                .map((cp) => {
                  const name = names.get(cp.chargerId) ?? cp.chargePointId;
                  return (
                    <Table.Tr key={cp.chargerId} data-testid="ocpp-row" data-charger-name={name}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {cp.chargePointId}
                          {cp.boot ? ` · ${cp.boot.vendor} ${cp.boot.model}` : ''}
                          {cp.boot?.firmwareVersion ? ` · fw ${cp.boot.firmwareVersion}` : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          tt="none"
                          styles={NO_TRUNCATE}
                          color={cp.online ? 'teal' : 'gray'}
                          data-testid="ocpp-online"
                          data-online={cp.online}
                        >
                          {cp.online ? 'Online' : 'Offline'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {cp.connectors.length === 0 && (
                            <Text size="sm" c="dimmed">
                              —
                            </Text>
                          )}
                          {cp.connectors.map((k) => (
                            <Badge
                              key={k.connectorId}
                              size="sm"
                              variant="outline"
                              tt="none"
                              styles={NO_TRUNCATE}
                              color={
                                k.status === 'Faulted' || k.errorCode !== 'NoError' ? 'red' : 'gray'
                              }
                              title={[k.errorCode, k.info, k.vendorErrorCode]
                                .filter(Boolean)
                                .join(' · ')}
                              data-testid="ocpp-connector"
                            >
                              {k.connectorId === 0 ? 'CP' : `#${k.connectorId}`} {k.status}
                              {k.errorCode !== 'NoError' ? ` (${k.errorCode})` : ''}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td className="nowrap">
                        <Text size="sm">
                          {cp.lastMessageAt
                            ? formatRecentTime(cp.lastMessageAt, circuit.timezone)
                            : 'never'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <LimitCell cp={cp} timeZone={circuit.timezone} />
                      </Table.Td>
                      <Table.Td ta="right" className="num nowrap" data-testid="ocpp-drawing">
                        {cp.transaction ? formatAmps(measured.get(cp.chargerId) ?? 0) : '—'}
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setLogOf({ id: cp.chargerId, name })}
                          data-testid="ocpp-log-open"
                        >
                          Messages
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    );

  return (
    <Paper p="md" data-testid="ocpp-section">
      <Group justify="space-between" mb="sm">
        <Title order={3} fz="h5">
          Chargers over OCPP
        </Title>
      </Group>
      {body}
      {logOf && (
        <OcppLogModal
          chargerId={logOf.id}
          title={logOf.name}
          timeZone={circuit.timezone}
          onClose={() => setLogOf(null)}
        />
      )}
    </Paper>
  );
}
