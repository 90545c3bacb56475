import { Anchor, Badge, Code, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useBreachReports } from '../../api/oscp';
import type { BreachReportView } from '../../api/types';
import { formatAmps } from '../../format';
import { Empty, ErrorState, LoadingState } from '../States';
import { Card, when } from './CardParts';
import { PublicationBadge } from './StateBadges';

type Sent = NonNullable<BreachReportView['worsenedReport']>;

/** A compliance error sent for a breach: its request id, the forecast it is correlated to, delivery. */
function SentCell({ sent, label, timeZone }: { sent: Sent; label: string; timeZone?: string }) {
  return (
    <Stack gap={2} data-testid="breach-report-sent">
      <Text size="xs" c="dimmed">
        {label} · {when(sent.at, timeZone)}
      </Text>
      <Tooltip
        label={`Request ${sent.requestId} · correlation (forecast) ${sent.correlationId}`}
        withArrow
        multiline
        maw={420}
      >
        <Code
          fz="xs"
          display="block"
          style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
          data-testid="breach-report-correlation"
        >
          ↳ {sent.correlationId}
        </Code>
      </Tooltip>
      {sent.status && <PublicationBadge status={sent.status} />}
    </Stack>
  );
}

function ReportRow({ r, timeZone }: { r: BreachReportView; timeZone?: string }) {
  return (
    <Table.Tr data-testid="breach-report" data-ended={r.endedAt !== null}>
      <Table.Td>
        <Anchor component={Link} to={`/circuits/${r.circuitId}`} size="xs" truncate="end">
          {r.circuitName}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Text size="xs" className="num">
          {r.phase} {formatAmps(r.measuredA)} over {formatAmps(r.limitA)}
        </Text>
        {r.worsened && (
          <Text size="xs" c="red.7" className="num">
            worse: {r.worsened.phase} {formatAmps(r.worsened.measuredA)} over{' '}
            {formatAmps(r.worsened.limitA)}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="xs">{when(r.since, timeZone)}</Text>
      </Table.Td>
      <Table.Td data-testid="breach-report-ended">
        {r.endedAt ? (
          <Text size="xs">{when(r.endedAt, timeZone)}</Text>
        ) : (
          <Badge color="red" size="sm" radius="sm" tt="none">
            open
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap="xs">
          <SentCell sent={r.started} label="When it started" timeZone={timeZone} />
          {r.worsenedReport && (
            <SentCell sent={r.worsenedReport} label="When it worsened" timeZone={timeZone} />
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * Breaches on the bound scope that were reported to the Capacity Provider: the breach (circuit,
 * phase, limit, measured, since, ended) next to the compliance errors it caused (ADR 0050).
 */
export function BreachReportsCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const reports = useBreachReports(id);
  return (
    <Card title="Breaches reported" testId="breach-reports">
      {reports.isPending ? (
        <LoadingState rows={2} label="Loading breach reports…" />
      ) : reports.isError && !reports.data ? (
        <ErrorState error={reports.error} title="Could not load breach reports" />
      ) : reports.data.reports.length === 0 ? (
        <Empty
          testId="breach-reports-empty"
          title="No breaches reported"
          description="A breach of a limit from an accepted forecast is reported here once, with one more if it worsens."
        />
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table data-testid="breach-reports-table" layout="fixed" fz="xs" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="16%">Circuit</Table.Th>
                <Table.Th w="22%">Phase · measured · limit</Table.Th>
                <Table.Th w="17%">Since</Table.Th>
                <Table.Th w="17%">Ended</Table.Th>
                <Table.Th>Compliance error sent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {reports.data.reports.map((r) => (
                <ReportRow key={r.episodeId} r={r} timeZone={timeZone} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
