import { Modal, SimpleGrid, Stack } from '@mantine/core';
import type { MeasurementView } from '../../../api/types';
import { formatKw, formatKwh } from '../../../format';
import { Field, SubTitle, when } from '../CardParts';
import { MessageBody } from '../MessageBody';
import { PublicationBadge } from '../StateBadges';
import { deliveryStatus, sentText, sentValues } from './measurement-format';

/** One published window: its span, its values, the message as sent and how delivery went. */
export function MeasurementDetailModal({
  measurement: m,
  timeZone,
  onClose,
}: {
  measurement: MeasurementView;
  timeZone: string | undefined;
  onClose: () => void;
}) {
  const sent = sentValues(m);
  return (
    <Modal opened onClose={onClose} title={`${m.kind} (${m.configuration})`} size="lg">
      <Stack gap="sm" data-testid="measurement-detail">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <Field label="Window from">{when(m.windowStart, timeZone)}</Field>
          <Field label="Window to">{when(m.windowEnd, timeZone)}</Field>
          <Field label="Energy in the window">{formatKwh(m.energyWh)}</Field>
          <Field label="Register at its end">{formatKwh(m.registerWh)}</Field>
          <Field label="Peak load">
            {formatKw(m.maxLoadW)}
            {m.maxLoadAt ? ` at ${when(m.maxLoadAt, timeZone)}` : ''}
          </Field>
          <Field label="Meter readings in the window">{m.readings}</Field>
          <Field label="Energy value sent" testId="measurement-sent-energy">
            {sentText(sent.energy)}
          </Field>
          <Field label="Instantaneous value sent">{sentText(sent.instantaneous)}</Field>
          <Field label="X-Request-ID">{m.requestId}</Field>
          <Field label="Delivery">
            <PublicationBadge status={deliveryStatus(m)} />
          </Field>
          <Field label="Attempts">
            {m.delivery ? `${m.delivery.attempts} of ${m.delivery.maxAttempts}` : '—'}
          </Field>
          <Field label="Delivered">{when(m.delivery?.deliveredAt, timeZone)}</Field>
          <Field label="Last answer">
            {m.delivery?.lastHttpStatus ? `HTTP ${m.delivery.lastHttpStatus}` : '—'}
            {m.delivery?.lastError ? `: ${m.delivery.lastError}` : ''}
          </Field>
        </SimpleGrid>
        <SubTitle>Message as sent</SubTitle>
        <MessageBody body={m.body} testId="measurement-body" />
      </Stack>
    </Modal>
  );
}
