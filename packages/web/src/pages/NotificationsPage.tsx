import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { oscpApi, useIncidents, useNotifications } from '../api/oscp';
import { useUser } from '../auth/context';
import { canOperate, NEEDS_OPERATOR } from '../auth/permissions';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, FormError, LoadingState, RefreshError } from '../components/States';
import { formatDateTime } from '../format';

const SEVERITY_COLOR = { INFO: 'blue', WARNING: 'yellow', ALARM: 'red' } as const;
const PAGE = 50;
/** The API's largest page. */
const MOST = 200;

/** The connection a notification or incident is about, when its context names one. */
function ConnectionLink({ context }: { context: Record<string, unknown> }) {
  const id = typeof context.connectionId === 'string' ? context.connectionId : undefined;
  if (!id) return null;
  const name = typeof context.connectionName === 'string' ? context.connectionName : 'connection';
  return (
    <Anchor component={Link} to={`/connections/${id}`} size="xs" data-testid="context-connection">
      Open {name}
    </Anchor>
  );
}

/** "Showing n of m" with a button for the next page, when there is more than fits. */
function MoreRows(props: { shown: number; total: number; onMore: () => void; testId: string }) {
  if (props.total <= props.shown) return null;
  return (
    <Group justify="space-between" mt="xs">
      <Text size="xs" c="dimmed">
        Showing the newest {props.shown} of {props.total}
      </Text>
      {props.shown < MOST && (
        <Button size="xs" variant="subtle" onClick={props.onMore} data-testid={props.testId}>
          Show {PAGE} more
        </Button>
      )}
    </Group>
  );
}

export function NotificationsPage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState('false');
  const [notificationLimit, setNotificationLimit] = useState(PAGE);
  const [incidentLimit, setIncidentLimit] = useState(PAGE);
  const notifications = useNotifications(`unacknowledged=${filter}&limit=${notificationLimit}`);
  const incidents = useIncidents(`limit=${incidentLimit}`);
  const acknowledge = useMutation({
    mutationFn: (id: string) => oscpApi.acknowledge(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
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
              onChange={setFilter}
              data={[
                { value: 'false', label: 'All' },
                { value: 'true', label: 'Unacknowledged' },
              ]}
            />
          </Group>
          {notifications.isError && notifications.data && (
            <RefreshError error={notifications.error} mb="sm" />
          )}
          <FormError error={acknowledge.error} />
          {notifications.isPending ? (
            <LoadingState rows={3} />
          ) : notifications.isError && !notifications.data ? (
            <ErrorState error={notifications.error} />
          ) : notifications.data.items.length === 0 ? (
            <Empty testId="empty-notifications" title="No notifications" />
          ) : (
            <Table data-testid="notifications-table" verticalSpacing="xs">
              <Table.Tbody>
                {notifications.data.items.map((n) => (
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
          {notifications.data && (
            <MoreRows
              shown={notifications.data.items.length}
              total={notifications.data.total}
              onMore={() => setNotificationLimit((n) => Math.min(n + PAGE, MOST))}
              testId="more-notifications"
            />
          )}
        </Paper>
        <Paper p="md">
          <Title order={3} fz="h5" mb="sm">
            Incidents
          </Title>
          {incidents.isError && incidents.data && <RefreshError error={incidents.error} mb="sm" />}
          {incidents.isPending ? (
            <LoadingState rows={3} />
          ) : incidents.isError && !incidents.data ? (
            <ErrorState error={incidents.error} />
          ) : incidents.data.items.length === 0 ? (
            <Empty testId="empty-incidents" title="No incidents" />
          ) : (
            <Table data-testid="incidents-table" verticalSpacing="xs">
              <Table.Tbody>
                {incidents.data.items.map((i) => (
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
          {incidents.data && (
            <MoreRows
              shown={incidents.data.items.length}
              total={incidents.data.total}
              onMore={() => setIncidentLimit((n) => Math.min(n + PAGE, MOST))}
              testId="more-incidents"
            />
          )}
        </Paper>
      </Stack>
    </>
  );
}
