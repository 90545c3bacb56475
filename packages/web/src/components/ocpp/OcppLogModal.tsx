import { Badge, Code, Modal, ScrollArea, Table, Text } from '@mantine/core';
import { useOcppLog } from '../../api/ocpp';
import { formatDateTimeSeconds } from '../../format';
import { ErrorState, LoadingState } from '../States';

/** The charger's last OCPP messages, newest first, refreshed while open. */
export function OcppLogModal({
  chargerId,
  title,
  timeZone,
  onClose,
}: {
  chargerId: string;
  title: string;
  timeZone: string;
  onClose: () => void;
}) {
  const log = useOcppLog(chargerId, true);
  return (
    <Modal opened onClose={onClose} title={`OCPP messages: ${title}`} size="xl">
      {log.isPending ? (
        <LoadingState rows={5} label="Loading messages…" />
      ) : log.isError && !log.data ? (
        <ErrorState error={log.error} title="Could not load the messages" />
      ) : log.data.entries.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="ocpp-log-empty">
          No messages yet: the charger has not connected.
        </Text>
      ) : (
        <ScrollArea h={480}>
          <Table data-testid="ocpp-log" striped="even" fz="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Direction</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Payload</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {log.data.entries.map((e) => (
                <Table.Tr key={e.id} data-testid="ocpp-log-entry" data-action={e.action}>
                  <Table.Td className="num nowrap">
                    {formatDateTimeSeconds(e.at, timeZone)}
                  </Table.Td>
                  <Table.Td className="nowrap">
                    {e.direction === 'IN' ? 'charger →' : '→ charger'}{' '}
                    <Badge
                      size="xs"
                      variant="light"
                      color={e.kind === 'ERROR' ? 'red' : e.kind === 'CALL' ? 'blue' : 'gray'}
                    >
                      {e.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>
                    <Code
                      block
                      fz="xs"
                      style={{ maxWidth: 420, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
                    >
                      {JSON.stringify(e.payload)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
    </Modal>
  );
}
