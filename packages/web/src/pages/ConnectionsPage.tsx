import { Anchor, Button, Group, Paper, Switch, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useConnections } from '../api/oscp';
import { useUser } from '../auth/context';
import { canManage, NEEDS_MANAGER } from '../auth/permissions';
import { IconPlus } from '../components/icons';
import {
  AUTH_LABEL,
  DeletedBadge,
  ErrorMarker,
  ModeBadge,
  StateBadge,
} from '../components/oscp/StateBadges';
import { PageHeader } from '../components/PageHeader';
import { PagedQuery } from '../components/paging/PagedQuery';
import { usePaging } from '../components/paging/usePaging';
import { PermittedButton } from '../components/PermittedButton';

export function ConnectionsPage() {
  const user = useUser();
  const navigate = useNavigate();
  const [showDeleted, setShowDeleted] = useState(false);
  const [search, setSearch] = useState('');
  const [typedSearch] = useDebouncedValue(search.trim(), 300);
  const paging = usePaging();
  // One page at a time: a distribution network has thousands of connections, and the page polls.
  const connections = useConnections(
    new URLSearchParams({
      ...paging.params,
      ...(typedSearch ? { q: typedSearch } : {}),
      ...(showDeleted ? { include: 'deleted' } : {}),
    }).toString(),
  );
  const create = (
    <PermittedButton
      allowed={canManage(user.role)}
      reason={NEEDS_MANAGER}
      onClick={() => navigate('/connections/new')}
      leftSection={<IconPlus size={16} />}
      data-testid="new-connection"
    >
      New connection
    </PermittedButton>
  );
  const empty = typedSearch
    ? {
        title: 'No connection matches',
        description: `No connection's name or group id contains “${typedSearch}”.`,
      }
    : {
        title: 'No OSCP connections yet',
        description:
          "Create one to bind a grid operator's group id to a managed scope of a microgrid.",
        action: canManage(user.role) ? (
          <Button mt="sm" onClick={() => navigate('/connections/new')}>
            New connection
          </Button>
        ) : undefined,
      };
  return (
    <>
      <PageHeader
        title="OSCP connections"
        subtitle="Capacity Providers and the managed scopes they constrain"
        actions={
          <>
            <Switch
              label="Show deleted"
              checked={showDeleted}
              onChange={(e) => {
                setShowDeleted(e.currentTarget.checked);
                paging.restart();
              }}
              data-testid="show-deleted"
            />
            {create}
          </>
        }
      />
      <Paper p="md">
        <TextInput
          size="xs"
          mb="sm"
          maw={320}
          label="Search"
          placeholder="Name or group id"
          value={search}
          maxLength={100}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            paging.restart();
          }}
          data-testid="connections-search"
        />
        <PagedQuery
          query={connections}
          paging={paging}
          noun="connections"
          testId="connections"
          empty={empty}
        >
          {(items) => (
            <Table.ScrollContainer minWidth={900}>
              <Table data-testid="connections-table" verticalSpacing="xs" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Connection</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Group id</Table.Th>
                    <Table.Th>Microgrid / scope</Table.Th>
                    <Table.Th>Operating mode</Table.Th>
                    <Table.Th>Profile</Table.Th>
                    <Table.Th>Latest error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr
                      key={c.id}
                      data-testid="connection-row"
                      data-connection-name={c.displayName}
                      data-deleted={String(c.deletedAt !== null)}
                      style={c.deletedAt ? { opacity: 0.65 } : undefined}
                    >
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/connections/${c.id}`}
                          fw={600}
                          data-testid="connection-link"
                        >
                          {c.displayName}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          <StateBadge state={c.state} />
                          {c.deletedAt && <DeletedBadge at={c.deletedAt} />}
                        </Group>
                      </Table.Td>
                      <Table.Td className="num">{c.groupId}</Table.Td>
                      <Table.Td>
                        {c.binding.microgrid && c.binding.scope ? (
                          <Text size="sm" data-testid="connection-binding">
                            {c.binding.microgrid.name} / {c.binding.scope.name}
                          </Text>
                        ) : (
                          <Text size="sm" c="orange.8" data-testid="connection-binding">
                            Scope no longer exists
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td data-testid="connection-operating-mode">
                        <ModeBadge mode={c.control.mode} reason={c.control.reason} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" data-testid="connection-measurements">
                          {c.measurementPublicationMode} measurements
                        </Text>
                        <Text size="xs" c="dimmed" data-testid="connection-auth">
                          {AUTH_LABEL[c.authMode] ?? c.authMode}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <ErrorMarker error={c.latestError} />
                        {c.openProblems.length > 1 && (
                          <Text size="xs" c="red.7" data-testid="more-open-problems">
                            and {c.openProblems.length - 1} more open
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </PagedQuery>
      </Paper>
    </>
  );
}
