import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { RefusalView } from '../../../api/types';
import { Clipped, when } from '../CardParts';

/** "403 Forbidden"-style status, with the reason clipped beside it in the row. */
const STATUS_TEXT: Record<number, string> = {
  400: '400 bad request',
  401: '401 no credentials',
  403: '403 refused credentials',
  404: '404 unknown',
  409: '409 conflict',
  501: '501 not supported',
};

/**
 * Refused inbound calls, newest first. `connectionNames` names the matched connections; without
 * it (a connection's own refusals) the column is left out.
 */
export function RefusalTable({
  items,
  timeZone,
  connectionNames,
}: {
  items: RefusalView[];
  timeZone: string | undefined;
  connectionNames?: ReadonlyMap<string, string>;
}) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table data-testid="refusals-table" verticalSpacing={4} fz="xs" layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="19%">When</Table.Th>
            <Table.Th w="15%">Endpoint</Table.Th>
            <Table.Th w="13%">Status</Table.Th>
            <Table.Th>Reason</Table.Th>
            {connectionNames && <Table.Th w="15%">Connection</Table.Th>}
            <Table.Th w="12%">Credential</Table.Th>
            <Table.Th w="12%">Source</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((r) => (
            <Table.Tr
              key={r.id}
              data-testid="refusal-row"
              data-endpoint={r.endpoint}
              data-status={r.status}
            >
              <Table.Td>
                <Text size="xs">{when(r.firstAt, timeZone)}</Text>
                {r.repeats > 0 && (
                  <Text size="xs" c="dimmed" data-testid="refusal-repeats">
                    +{r.repeats} alike until {when(r.lastAt, timeZone)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Clipped text={r.endpoint} />
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="red.7">
                  {STATUS_TEXT[r.status] ?? r.status}
                </Text>
              </Table.Td>
              <Table.Td>
                <Clipped
                  text={r.reason}
                  tooltip={`${r.reason}${r.requestId ? ` (X-Request-ID ${r.requestId})` : ''}`}
                />
              </Table.Td>
              {connectionNames && (
                <Table.Td>
                  {r.connectionId ? (
                    <Anchor
                      component={Link}
                      to={`/connections/${r.connectionId}`}
                      size="xs"
                      data-testid="refusal-connection"
                    >
                      {connectionNames.get(r.connectionId) ?? 'a connection'}
                    </Anchor>
                  ) : (
                    <Text size="xs" c="dimmed">
                      none matched
                    </Text>
                  )}
                </Table.Td>
              )}
              <Table.Td>
                <Clipped
                  text={
                    r.credential ??
                    (r.authorizationScheme ? `${r.authorizationScheme} (unknown)` : 'none')
                  }
                />
              </Table.Td>
              <Table.Td>
                <Clipped text={r.source} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
