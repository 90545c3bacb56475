import { Badge, NativeSelect, Table } from '@mantine/core';
import { useState } from 'react';
import { useTimeline } from '../../api/oscp';
import { PagedQuery } from '../paging/PagedQuery';
import { usePaging } from '../paging/usePaging';
import { Card, when } from './CardParts';
import { summarize, TIMELINE_GROUPS, TYPE_COLOR, typeLabel } from './timeline-wording';

/** Everything recorded about the connection, newest first, filtered by kind. */
export function TimelineCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const [group, setGroup] = useState(0);
  const paging = usePaging();
  const types = TIMELINE_GROUPS[group]?.types ?? [];
  const query = new URLSearchParams({
    ...paging.params,
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
        paging.restart();
      }}
      data={TIMELINE_GROUPS.map((g, i) => ({ value: String(i), label: g.label }))}
      data-testid="timeline-kind"
    />
  );
  return (
    <Card title="Audit timeline" testId="timeline" extra={filter}>
      <PagedQuery
        query={timeline}
        paging={paging}
        noun="events"
        testId="timeline"
        empty={{ title: 'Nothing recorded of this kind' }}
      >
        {(items) => (
          <Table.ScrollContainer minWidth={680}>
            <Table verticalSpacing={4} fz="xs" data-testid="timeline-table" layout="fixed">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={200}>Time</Table.Th>
                  <Table.Th w={200}>Type</Table.Th>
                  <Table.Th>Summary</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((item) => (
                  <Table.Tr key={item.position} data-testid="timeline-entry" data-type={item.type}>
                    <Table.Td c="dimmed" className="nowrap">
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
                        {typeLabel(item.type)}
                      </Badge>
                    </Table.Td>
                    <Table.Td data-testid="timeline-summary" style={{ overflowWrap: 'anywhere' }}>
                      {summarize(item, timeZone)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </PagedQuery>
    </Card>
  );
}
