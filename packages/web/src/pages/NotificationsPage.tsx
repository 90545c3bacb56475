import { Badge, Group, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { oscpApi, useIncidents, useNotifications } from '../api/oscp';
import { useUser } from '../auth/context';
import { canOperate, NEEDS_OPERATOR } from '../auth/permissions';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, FormError, LoadingState, RefreshError } from '../components/States';
import { formatDateTime } from '../format';

const SEVERITY_COLOR = { INFO: 'blue', WARNING: 'yellow', ALARM: 'red' } as const;

export function NotificationsPage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState('false');
  const notifications = useNotifications(`unacknowledged=${filter}&limit=50`);
  const incidents = useIncidents('limit=50');
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
        </Paper>
        <FormError error={acknowledge.error} />
      </Stack>
    </>
  );
}
