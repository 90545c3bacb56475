import { Anchor, Badge, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { BreachEpisodeView, BreachReportView } from '../../api/types';
import { formatAmps, formatRecentTime } from '../../format';

/** Recent breach episodes of a circuit, with the connection each was reported to. */
export function BreachEpisodeTable({
  episodes,
  reports,
  timeZone,
}: {
  episodes: BreachEpisodeView[];
  reports: BreachReportView[];
  timeZone: string;
}) {
  const when = (iso: string) => formatRecentTime(iso, timeZone);
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table data-testid="breach-episodes" layout="fixed" fz="xs" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="20%">Over the limit since</Table.Th>
            <Table.Th w="20%">Ended</Table.Th>
            <Table.Th w={64}>Phase</Table.Th>
            <Table.Th>Limit · measured (peak)</Table.Th>
            <Table.Th w="26%">Reported to</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {episodes.map((e) => {
            const told = reports.filter((r) => r.episodeId === e.id);
            return (
              <Table.Tr key={e.id} data-testid="breach-episode" data-ended={e.endedAt !== null}>
                <Table.Td>{when(e.since)}</Table.Td>
                <Table.Td>
                  {e.endedAt ? (
                    when(e.endedAt)
                  ) : (
                    <Badge color="red" size="sm" radius="sm" tt="none">
                      open
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>{e.phase}</Table.Td>
                <Table.Td>
                  <Text size="xs" truncate="end" title={e.limitLabel}>
                    {formatAmps(e.limitA)} · {formatAmps(e.measuredA)} ({formatAmps(e.peakA)}{' '}
                    {e.peakPhase})
                  </Text>
                </Table.Td>
                <Table.Td>
                  {told.length === 0 ? (
                    <Text
                      size="xs"
                      c="dimmed"
                      title="Only a breach of a limit from a grid operator's accepted forecast is reported, on a connection that is ready."
                    >
                      not reported
                    </Text>
                  ) : (
                    <Stack gap={0}>
                      {told.map((r) => (
                        <Anchor
                          key={r.connectionId}
                          component={Link}
                          to={`/connections/${r.connectionId}`}
                          size="xs"
                          truncate="end"
                          data-testid="breach-told-connection"
                        >
                          {r.connectionName}
                        </Anchor>
                      ))}
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
