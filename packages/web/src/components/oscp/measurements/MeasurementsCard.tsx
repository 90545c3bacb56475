import { Anchor, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { measurementsCsvUrl, useMeasurements } from '../../../api/oscp';
import type { MeasurementView } from '../../../api/types';
import { fromZonedInputValue } from '../../../format';
import { PagedQuery } from '../../paging/PagedQuery';
import { usePaging } from '../../paging/usePaging';
import { Card, when } from '../CardParts';
import { PublicationBadge } from '../StateBadges';
import { MeasurementChart } from './MeasurementChart';
import { MeasurementDetailModal } from './MeasurementDetailModal';
import { MeasurementTable } from './MeasurementTable';
import { cadenceText, deliveryStatus, reportedText } from './measurement-format';

/** Windows drawn in the chart: a day of 15-minute windows. */
const CHART_WINDOWS = 96;

function LatestPublication({
  m,
  timeZone,
  onOpen,
}: {
  m: MeasurementView | null | undefined;
  timeZone: string | undefined;
  onOpen: (m: MeasurementView) => void;
}) {
  if (!m) {
    return (
      <Text size="sm" c="dimmed" data-testid="measurement-latest-none">
        Nothing published yet: the first window is sent once the handshake has completed and the
        window has closed.
      </Text>
    );
  }
  return (
    <Group gap="xs" data-testid="measurement-latest" wrap="wrap">
      <Text size="sm">Last publication:</Text>
      <Anchor component="button" type="button" size="sm" onClick={() => onOpen(m)}>
        {when(m.windowStart, timeZone)} – {when(m.windowEnd, timeZone)}
      </Anchor>
      <Text size="sm" data-testid="measurement-latest-value">
        {reportedText(m)}
      </Text>
      <PublicationBadge status={deliveryStatus(m)} />
    </Group>
  );
}

/**
 * What we reported to the peer: the cadence, the last publication, the energy published per
 * window, and every window of a time range with its message and delivery (also as CSV).
 */
export function MeasurementsCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [fromInput, setFromInput] = useState('');
  const [toInput, setToInput] = useState('');
  const [open, setOpen] = useState<MeasurementView | null>(null);
  const paging = usePaging();
  const instant = (value: string) => fromZonedInputValue(value, zone)?.toISOString();
  const range = {
    ...(instant(fromInput) ? { from: instant(fromInput)! } : {}),
    ...(instant(toInput) ? { to: instant(toInput)! } : {}),
  };
  const page = useMeasurements(id, new URLSearchParams({ ...paging.params, ...range }).toString());
  const chart = useMeasurements(
    id,
    new URLSearchParams({ limit: String(CHART_WINDOWS), offset: '0', ...range }).toString(),
  );
  const cadence = page.data?.cadence;
  const rangeInput = (label: string, value: string, set: (v: string) => void, testId: string) => (
    <TextInput
      type="datetime-local"
      size="xs"
      label={label}
      value={value}
      onChange={(e) => {
        set(e.currentTarget.value);
        paging.restart();
      }}
      data-testid={testId}
      w={190}
    />
  );
  return (
    <Card title="Measurements" testId="measurements">
      <Stack gap="sm">
        {cadence && (
          <Text size="sm" data-testid="measurement-cadence">
            {cadenceText(cadence)}
            {cadence.nextWindowEnd
              ? ` · next window closes ${when(cadence.nextWindowEnd, timeZone)}`
              : ''}
          </Text>
        )}
        <LatestPublication m={page.data?.latest} timeZone={timeZone} onOpen={setOpen} />
        {(chart.data?.items.length ?? 0) > 0 && (
          <MeasurementChart items={chart.data!.items} timeZone={zone} />
        )}
        <Group gap="sm" align="flex-end" wrap="wrap">
          {rangeInput('Windows from', fromInput, setFromInput, 'measurements-from')}
          {rangeInput('to', toInput, setToInput, 'measurements-to')}
          <Anchor
            href={measurementsCsvUrl(id, range)}
            download
            size="sm"
            pb={6}
            data-testid="measurements-csv"
          >
            Download CSV
          </Anchor>
        </Group>
        <PagedQuery
          query={page}
          paging={paging}
          noun="windows"
          testId="measurements"
          empty={
            fromInput || toInput
              ? { title: 'No windows in this range' }
              : { title: 'No measurements published yet' }
          }
        >
          {(items) => <MeasurementTable items={items} timeZone={timeZone} onOpen={setOpen} />}
        </PagedQuery>
      </Stack>
      {open && (
        <MeasurementDetailModal
          measurement={open}
          timeZone={timeZone}
          onClose={() => setOpen(null)}
        />
      )}
    </Card>
  );
}
