import { Group, NativeSelect, NumberInput, Text, TextInput } from '@mantine/core';
import { adjustmentRequestBody } from '@openvelope/server/oscp-contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { oscpApi, oscpKeys } from '../../api/oscp';
import type { AcceptedForecastView, AdjustmentRequestBody } from '../../api/types';
import { formatDateTime } from '../../format';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { toNumber } from '../../forms/values';
import { FormModal, ModalForm } from '../FormModal';
import { sentNotice } from './sent-notice';

/** A `datetime-local` value (the browser's zone) as an ISO instant; '' when it is not a time. */
export function browserInstant(local: string): string {
  const at = new Date(local);
  return local && !Number.isNaN(at.getTime()) ? at.toISOString() : '';
}

export interface AdjustmentValues extends Record<string, unknown> {
  /** The accepted forecast the request is about. */
  forecastRequestId: string;
  blocks: { start: string; end: string; capacity: number | string; unit: string }[];
}

export function adjustmentRequest(v: AdjustmentValues) {
  return {
    ...(v.forecastRequestId ? { forecastRequestId: v.forecastRequestId } : {}),
    blocks: v.blocks.map((b) => ({
      start: browserInstant(b.start),
      end: browserInstant(b.end),
      capacity: toNumber(b.capacity),
      unit: b.unit,
      phase: 'ALL',
    })),
  };
}

const forecastLabel = (f: AcceptedForecastView) =>
  `${f.type}, received ${formatDateTime(f.receivedAt)} (ahead: ${formatDateTime(f.futureStart)} to ${formatDateTime(f.end)})`;

/** Ask the Capacity Provider for a different capacity in one period of an accepted forecast. */
export function AdjustmentModal({
  id,
  forecasts,
  onClose,
}: {
  id: string;
  /** The accepted forecasts with blocks ahead, newest first (the first is the default). */
  forecasts: AcceptedForecastView[];
  onClose: () => void;
}) {
  return (
    <FormModal opened onClose={onClose} title="Request a forecast adjustment">
      <AdjustmentForm id={id} forecasts={forecasts} onClose={onClose} />
    </FormModal>
  );
}

function AdjustmentForm({
  id,
  forecasts,
  onClose,
}: {
  id: string;
  forecasts: AcceptedForecastView[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: {
      forecastRequestId: forecasts[0]?.requestId ?? '',
      blocks: [{ start: '', end: '', capacity: '', unit: 'A' }],
    } satisfies AdjustmentValues as AdjustmentValues,
    schema: adjustmentRequestBody,
    toRequest: adjustmentRequest,
  });
  const send = useMutation({
    mutationFn: (body: AdjustmentRequestBody) => oscpApi.requestAdjustment(id, body),
    onSuccess: async (sent) => {
      sentNotice('Adjustment request', sent.requestId);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      onClose();
    },
  });
  const chosen = forecasts.find((f) => f.requestId === form.values.forecastRequestId);
  return (
    <ModalForm
      onSubmit={submitTo(form, send.mutate)}
      onCancel={onClose}
      pending={send.isPending}
      error={send.error}
      errorTestId="adjustment-error"
      submitLabel="Send to the Capacity Provider"
      submitTestId="send-adjustment"
    >
      <Text size="sm" c="dimmed">
        Asks the Capacity Provider to change an accepted forecast in one period
        (AdjustGroupCapacityForecast, correlated to that forecast). It answers, if it agrees, with a
        new forecast. Times are in your browser&apos;s time zone.
      </Text>
      <NativeSelect
        label="Forecast"
        data={forecasts.map((f) => ({ value: f.requestId, label: forecastLabel(f) }))}
        {...form.getInputProps('forecastRequestId')}
        data-testid="adjustment-forecast"
      />
      {chosen && (
        <Text size="xs" c="dimmed" data-testid="adjustment-span">
          The period must lie between {formatDateTime(chosen.futureStart)} and{' '}
          {formatDateTime(chosen.end)}.
        </Text>
      )}
      <Group grow align="flex-start">
        <TextInput
          type="datetime-local"
          label="From"
          {...form.getInputProps('blocks.0.start')}
          data-testid="adjustment-start"
        />
        <TextInput
          type="datetime-local"
          label="Until"
          {...form.getInputProps('blocks.0.end')}
          data-testid="adjustment-end"
        />
      </Group>
      <Group grow align="flex-start">
        <NumberInput
          label="Capacity"
          min={0}
          {...form.getInputProps('blocks.0.capacity')}
          data-testid="adjustment-capacity"
        />
        <NativeSelect
          label="Unit"
          data={[
            { value: 'A', label: 'A per phase' },
            { value: 'W', label: 'W' },
            { value: 'KW', label: 'kW' },
          ]}
          {...form.getInputProps('blocks.0.unit')}
        />
      </Group>
    </ModalForm>
  );
}
