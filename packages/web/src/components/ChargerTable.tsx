import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { depotKeys, stopSession } from '../api/microgrid';
import type { ChargerView, Role } from '../api/types';
import { canOperate, NEEDS_OPERATOR } from '../auth/permissions';
import { formatAmps, formatDateTime, formatKw, formatKwh, formatRecentTime } from '../format';
import { BindingBadge, NO_TRUNCATE } from './badges';
import { ConfirmModal } from './ConfirmModal';
import { PermittedButton } from './PermittedButton';
import { StartSessionModal } from './StartSessionModal';
import { Empty } from './States';

function PhaseBadges({ phases }: { phases: ChargerView['phases'] }) {
  return (
    <Group gap={3} wrap="nowrap">
      {phases.map((p) => (
        <Badge key={p} size="xs" variant="default" radius="xs" styles={NO_TRUNCATE}>
          {p}
        </Badge>
      ))}
    </Group>
  );
}

function SessionCell({ charger, timeZone }: { charger: ChargerView; timeZone: string }) {
  const s = charger.session;
  if (!s) {
    return (
      <Text size="sm" c="dimmed" data-testid="session">
        idle
      </Text>
    );
  }
  return (
    <Stack gap={0} data-testid="session">
      <Text size="sm" fw={500}>
        {s.vehicleLabel ?? 'Unnamed vehicle'}
        {s.vehicleMaxCurrentA !== null && (
          <Text span size="xs" c="dimmed">
            {' '}
            (max {formatAmps(s.vehicleMaxCurrentA)})
          </Text>
        )}
      </Text>
      <Text size="xs" c="dimmed" className="num">
        since {formatDateTime(s.startedAt, timeZone)} · {formatKwh(s.energyWh)}
      </Text>
    </Stack>
  );
}

function ReadingCell({ charger, timeZone }: { charger: ChargerView; timeZone: string }) {
  const r = charger.lastReading;
  if (!r)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Stack gap={0}>
      <Text size="sm" className="num nowrap">
        {formatAmps(r.currentA)} · {formatKw(r.powerW)}
      </Text>
      <Text size="xs" c="dimmed" className="num">
        {formatRecentTime(r.measuredAt, timeZone)}
      </Text>
    </Stack>
  );
}

export function ChargerTable({
  chargers,
  timeZone,
  role,
}: {
  chargers: ChargerView[];
  timeZone: string;
  role: Role;
}) {
  const queryClient = useQueryClient();
  const [starting, setStarting] = useState<ChargerView | null>(null);
  const [stopping, setStopping] = useState<ChargerView | null>(null);
  const mayOperate = canOperate(role);

  const stop = useMutation({
    mutationFn: (sessionId: string) => stopSession(sessionId),
    onSuccess: async () => {
      notifications.show({
        color: 'teal',
        title: 'Session stopped',
        message: `${stopping?.name ?? 'The charger'} is idle; capacity was rebalanced.`,
      });
      setStopping(null);
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });

  if (chargers.length === 0) {
    return (
      <Empty
        testId="empty-chargers"
        title="No chargers on this circuit"
        description="Add chargers to this circuit in Depot model."
      />
    );
  }

  return (
    <>
      <Table.ScrollContainer minWidth={960}>
        <Table data-testid="charger-table" highlightOnHover striped="even" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Charger</Table.Th>
              <Table.Th>Phases</Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>
                Min / max
              </Table.Th>
              <Table.Th ta="right">Priority</Table.Th>
              <Table.Th>Session</Table.Th>
              <Table.Th ta="right">Allocation</Table.Th>
              <Table.Th>Binding constraint</Table.Th>
              <Table.Th>Last meter reading</Table.Th>
              <Table.Th w={1} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {chargers.map((c) => (
              <Table.Tr
                key={c.id}
                data-testid="charger-row"
                data-charger-id={c.id}
                data-charger-name={c.name}
              >
                <Table.Td fw={500} data-testid="charger-name">
                  {c.name}
                </Table.Td>
                <Table.Td>
                  <PhaseBadges phases={c.phases} />
                </Table.Td>
                <Table.Td ta="right" className="num nowrap">
                  {formatAmps(c.minCurrentA).replace(' A', '')} / {formatAmps(c.maxCurrentA)}
                </Table.Td>
                <Table.Td ta="right" className="num nowrap">
                  {c.priority}
                </Table.Td>
                <Table.Td>
                  <SessionCell charger={c} timeZone={timeZone} />
                </Table.Td>
                <Table.Td ta="right" fw={600} className="num nowrap" data-testid="allocation">
                  {c.allocation ? formatAmps(c.allocation.currentA) : '—'}
                </Table.Td>
                <Table.Td>
                  {c.allocation ? (
                    <BindingBadge binding={c.allocation.binding} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      —
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <ReadingCell charger={c} timeZone={timeZone} />
                </Table.Td>
                <Table.Td ta="right" className="nowrap">
                  {c.session ? (
                    <PermittedButton
                      allowed={mayOperate}
                      reason={NEEDS_OPERATOR}
                      size="compact-xs"
                      variant="light"
                      color="gray"
                      onClick={() => {
                        stop.reset();
                        setStopping(c);
                      }}
                      data-testid="stop-session"
                    >
                      Stop session
                    </PermittedButton>
                  ) : (
                    <PermittedButton
                      allowed={mayOperate}
                      reason={NEEDS_OPERATOR}
                      size="compact-xs"
                      variant="light"
                      onClick={() => setStarting(c)}
                      data-testid="start-session"
                    >
                      Start session
                    </PermittedButton>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <StartSessionModal charger={starting} onClose={() => setStarting(null)} />
      <ConfirmModal
        opened={stopping !== null}
        title="Stop the charging session?"
        confirmLabel="Stop session"
        confirmColor="blue"
        confirmTestId="confirm-stop-session"
        loading={stop.isPending}
        error={stop.error}
        onClose={() => setStopping(null)}
        onConfirm={() => stopping?.session && stop.mutate(stopping.session.id)}
      >
        The session of <b>{stopping?.session?.vehicleLabel ?? 'the vehicle'}</b> on charger{' '}
        <b>{stopping?.name}</b> ends now and its capacity is shared among the other chargers.
      </ConfirmModal>
    </>
  );
}
