import {
  Anchor,
  Badge,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  Group,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  acknowledgeNotification,
  notificationKeys,
  useIncidents,
  useNotifications,
} from '../api/notifications';
import { useUser } from '../auth/context';
import { canOperate, NEEDS_OPERATOR } from '../auth/permissions';
import { IncidentSummary } from '../components/notifications/IncidentSummary';
import { PageHeader } from '../components/PageHeader';
import { PagedQuery } from '../components/paging/PagedQuery';
import { usePaging } from '../components/paging/usePaging';
import { PermittedButton } from '../components/PermittedButton';
import { FormError } from '../components/States';
import { formatDateTime } from '../format';

const SEVERITY_COLOR = { INFO: 'blue', WARNING: 'yellow', ALARM: 'red' } as const;
/** The connection or circuit a notification or incident is about, when its context names one. */
function ConnectionLink({ context }: { context: Record<string, unknown> }) {
  const name = (key: string, fallback: string) =>
    typeof context[key] === 'string' ? context[key] : fallback;
  if (typeof context.connectionId === 'string')
    return (
      <Anchor
        component={Link}
        to={`/connections/${context.connectionId}`}
        size="xs"
        data-testid="context-connection"
      >
        Open {name('connectionName', 'connection')}
      </Anchor>
    );
  if (typeof context.circuitId === 'string')
    return (
      <Anchor
        component={Link}
        to={`/circuits/${context.circuitId}`}
        size="xs"
        data-testid="context-circuit"
      >
        Open {name('circuitName', 'circuit')}
      </Anchor>
    );
  return null;
}

export function NotificationsPage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState('false');
  const notificationPaging = usePaging();
  const incidentPaging = usePaging();
  const notifications = useNotifications(
    new URLSearchParams({ unacknowledged: filter, ...notificationPaging.params }).toString(),
  );
  const incidents = useIncidents(new URLSearchParams(incidentPaging.params).toString());
  const acknowledge = useMutation({
    mutationFn: acknowledgeNotification,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationKeys.allNotifications }),
  });

  return (
    <>
      <PageHeader title="Notifications and incidents" />
      <Stack gap="md">
        <Paper p="md">
          <Group justify="space-between" mb="sm">
            <Title order={3} fz="h5">
              Notifications{' '}
              {notifications.data ? `(${notifications.data.unacknowledged} unacknowledged)` : ''}
            </Title>
            <SegmentedControl
              size="xs"
              value={filter}
              onChange={(value) => {
                setFilter(value);
                notificationPaging.restart();
              }}
              data={[
                { value: 'false', label: 'All' },
                { value: 'true', label: 'Unacknowledged' },
              ]}
            />
          </Group>
          <FormError error={acknowledge.error} />
          <PagedQuery
            query={notifications}
            paging={notificationPaging}
            noun="notifications"
            testId="notifications"
            empty={{ title: 'No notifications' }}
          >
            {(items) => (
              <Table data-testid="notifications-table" verticalSpacing="xs">
                <Table.Tbody>
                  {items.map((n) => (
                    <Table.Tr key={n.id} data-testid="notification-row">
                      <Table.Td w={110}>
                        <Badge
                          color={SEVERITY_COLOR[n.severity]}
                          variant={n.severity === 'WARNING' ? 'filled' : 'light'}
                          c={n.severity === 'WARNING' ? 'dark' : undefined}
                          radius="sm"
                        >
                          {n.severity}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {n.title}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {n.message}
                        </Text>
                        <ConnectionLink context={n.context} />
                      </Table.Td>
                      <Table.Td w={190}>
                        <Text size="xs">{formatDateTime(n.createdAt)}</Text>
                      </Table.Td>
                      <Table.Td w={170}>
                        {n.acknowledgedAt ? (
                          <Text size="xs" c="dimmed">
                            Acknowledged by {n.acknowledgedBy}
                          </Text>
                        ) : (
                          <PermittedButton
                            allowed={canOperate(user.role)}
                            reason={NEEDS_OPERATOR}
                            size="xs"
                            variant="light"
                            onClick={() => acknowledge.mutate(n.id)}
                            loading={acknowledge.isPending && acknowledge.variables === n.id}
                            data-testid="acknowledge"
                          >
                            Acknowledge
                          </PermittedButton>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </PagedQuery>
        </Paper>
        <Paper p="md">
          <Title order={3} fz="h5" mb="sm">
            Incidents
          </Title>
          <PagedQuery
            query={incidents}
            paging={incidentPaging}
            noun="incidents"
            testId="incidents"
            empty={{ title: 'No incidents' }}
          >
            {(items) => (
              <Table data-testid="incidents-table" verticalSpacing="xs">
                <Table.Tbody>
                  {items.map((i) => (
                    <Table.Tr key={i.id} data-testid="incident-row" data-status={i.status}>
                      <Table.Td w={110}>
                        <Badge
                          color={i.status === 'OPEN' ? 'yellow' : 'gray'}
                          variant={i.status === 'OPEN' ? 'filled' : 'light'}
                          c={i.status === 'OPEN' ? 'dark' : undefined}
                          radius="sm"
                        >
                          {i.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {i.title}
                        </Text>
                        <IncidentSummary incident={i} />
                        {i.resolution && (
                          <Text size="xs" c="dimmed">
                            {i.resolution}
                          </Text>
                        )}
                        <ConnectionLink context={i.context} />
                      </Table.Td>
                      <Table.Td w={330}>
                        <Text size="xs">
                          Opened {formatDateTime(i.openedAt)}
                          {i.resolvedAt ? ` · resolved ${formatDateTime(i.resolvedAt)}` : ''}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </PagedQuery>
        </Paper>
      </Stack>
    </>
  );
}
