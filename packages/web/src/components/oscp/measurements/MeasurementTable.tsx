import { Anchor, Table, Tooltip } from '@mantine/core';
import type { MeasurementView } from '../../../api/types';
import { formatKw, formatKwh } from '../../../format';
import { formatTime } from '../../../format';
import { when } from '../CardParts';
import { PublicationBadge } from '../StateBadges';
import { deliveryStatus } from './measurement-format';

/** The published windows of a page, newest first; a window opens with its message. */
export function MeasurementTable({
  items,
  timeZone,
  onOpen,
}: {
  items: readonly MeasurementView[];
  timeZone: string | undefined;
  onOpen: (m: MeasurementView) => void;
}) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table data-testid="measurements-table" verticalSpacing={4} fz="xs" layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="38%">Window</Table.Th>
            <Table.Th className="num">Energy</Table.Th>
            <Table.Th className="num">Register</Table.Th>
            <Table.Th className="num">Peak</Table.Th>
            <Table.Th w="16%">Delivery</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr
              key={m.id}
              data-testid="measurement-row"
              data-window-end={m.windowEnd}
              data-status={deliveryStatus(m)}
            >
              <Table.Td>
                <Tooltip
                  label={`${when(m.windowStart, timeZone)} – ${when(m.windowEnd, timeZone)}`}
                  withArrow
                >
                  <Anchor
                    component="button"
                    type="button"
                    size="xs"
                    w="100%"
                    ta="left"
                    style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                    onClick={() => onOpen(m)}
                    data-testid="measurement-open"
                  >
                    {when(m.windowStart, timeZone)} – {formatTime(m.windowEnd, timeZone)}
                  </Anchor>
                </Tooltip>
              </Table.Td>
              <Table.Td className="num">{formatKwh(m.energyWh)}</Table.Td>
              <Table.Td className="num">{formatKwh(m.registerWh)}</Table.Td>
              <Table.Td className="num">{formatKw(m.maxLoadW)}</Table.Td>
              <Table.Td>
                <PublicationBadge status={deliveryStatus(m)} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
