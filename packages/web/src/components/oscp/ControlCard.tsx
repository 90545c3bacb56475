import { Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import type { ControlView } from '../../api/types';
import { useControl } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';
import { formatLimit } from '../../format';
import { ErrorState, LoadingState, RefreshError } from '../States';
import { Card, when } from './CardParts';
import { ModeBadge } from './StateBadges';

type ForecastSummary = NonNullable<ConnectionDetail['control']['lastForecast']>;

function ForecastOutcome({
  last,
  requestId,
  timeZone,
}: {
  last: ForecastSummary;
  requestId?: string;
  timeZone: string | undefined;
}) {
  return (
    <>
      <Group gap="xs">
        <Badge
          color={last.outcome === 'ACCEPTED' ? 'green' : 'red'}
          variant="light"
          radius="sm"
          data-testid="last-forecast-outcome"
        >
          {last.outcome}
        </Badge>
        <Text size="sm">
          {last.type} · {when(last.at, timeZone)}
          {requestId && (
            <>
              {' '}
              · request <Code>{requestId}</Code>
            </>
          )}
        </Text>
      </Group>
      {last.reason && (
        <Text size="sm" c="red.7">
          {last.reason}
        </Text>
      )}
    </>
  );
}

function ForecastBlocks({
  blocks,
  timeZone,
}: {
  blocks: NonNullable<ControlView['lastForecast']>['blocks'];
  timeZone: string | undefined;
}) {
  return (
    <Table.ScrollContainer minWidth={500} mah={240}>
      <Table verticalSpacing={2} fz="xs" data-testid="forecast-blocks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Start</Table.Th>
            <Table.Th>End</Table.Th>
            <Table.Th>Capacity</Table.Th>
            <Table.Th>Phase</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {blocks.map((b, i) => (
            <Table.Tr key={i}>
              <Table.Td>{when(b.start_time, timeZone)}</Table.Td>
              <Table.Td>{when(b.end_time, timeZone)}</Table.Td>
              <Table.Td className="num">
                {b.capacity} {b.unit}
              </Table.Td>
              <Table.Td>{b.phase}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The limit as a test or a script reads it from the page: "120 A", or "none". */
const limitData = (limit: ControlView['limit']) =>
  limit ? `${limit.value} ${limit.unit}` : 'none';

/**
 * The operating mode of the bound scope. Its details (since when, forecast blocks) come from the
 * control endpoint; until they arrive, or when they cannot be loaded, the connection's own control
 * summary keeps the mode on screen so a fallback is never hidden.
 */
export function ControlCard({
  c,
  timeZone,
}: {
  c: ConnectionDetail;
  timeZone: string | undefined;
}) {
  const control = useControl(c.id);
  const detail = control.data;
  const mode = detail ?? c.control;
  const last = detail ? detail.lastForecast : c.control.lastForecast;
  return (
    <Card
      title="Operating mode"
      testId="control"
      extra={<ModeBadge mode={mode.mode} reason={mode.reason} />}
    >
      <Stack gap="xs">
        {control.isError && detail && <RefreshError error={control.error} />}
        <Text size="sm" data-testid="mode-reason">
          {mode.reason}
          {detail?.modeSince ? ` (since ${when(detail.modeSince, timeZone)})` : ''}
        </Text>
        {detail && (
          <Text size="sm" data-testid="control-limit" data-limit={limitData(detail.limit)}>
            Limit in force:{' '}
            <b>{detail.limit ? formatLimit(detail.limit) : 'none (the circuit’s own capacity)'}</b>
          </Text>
        )}
        {detail?.disconnectedAt && (
          <Text size="sm" c="dimmed" data-testid="disconnected-note">
            OSCP control ended at {when(detail.disconnectedAt, timeZone)}; local control resumed.
          </Text>
        )}
        <Text size="sm" fw={600} mt="xs">
          Last received forecast
        </Text>
        {!last ? (
          <Text size="sm" c="dimmed">
            None yet
          </Text>
        ) : (
          <Stack gap={4} data-testid="last-forecast">
            <ForecastOutcome
              last={last}
              requestId={detail?.lastForecast?.requestId}
              timeZone={timeZone}
            />
            {detail?.lastForecast && (
              <ForecastBlocks blocks={detail.lastForecast.blocks} timeZone={timeZone} />
            )}
          </Stack>
        )}
        {control.isPending ? (
          <LoadingState rows={2} label="Loading the forecast details…" />
        ) : control.isError && !detail ? (
          <ErrorState
            error={control.error}
            title="Could not load the forecast details"
            onRetry={() => void control.refetch()}
          />
        ) : null}
      </Stack>
    </Card>
  );
}
