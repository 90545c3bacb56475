import { Group, NativeSelect, NumberInput, Text, TextInput } from '@mantine/core';
import { CAPACITY_FORECAST_TYPES } from '@openvelope/oscp';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { adjustmentRequestBody, type AdjustmentRequestBody } from '../../api/awaiting';
import { oscpApi, oscpKeys } from '../../api/oscp';
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
  type: string;
  blocks: { start: string; end: string; capacity: number | string; unit: string }[];
}

export function adjustmentRequest(v: AdjustmentValues) {
  return {
    type: v.type,
    blocks: v.blocks.map((b) => ({
      start: browserInstant(b.start),
      end: browserInstant(b.end),
      capacity: toNumber(b.capacity),
      unit: b.unit,
      phase: 'ALL',
    })),
  };
}

/** Ask the Capacity Provider for a different capacity in one period. */
export function AdjustmentModal({ id, onClose }: { id: string; onClose: () => void }) {
  return (
    <FormModal opened onClose={onClose} title="Request a forecast adjustment">
      <AdjustmentForm id={id} onClose={onClose} />
    </FormModal>
  );
}

function AdjustmentForm({ id, onClose }: { id: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: {
      type: 'CONSUMPTION',
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
        Asks the Capacity Provider for a different capacity in one period
        (AdjustGroupCapacityForecast). It answers, if it agrees, with a new forecast. Times are in
        your browser&apos;s time zone.
      </Text>
      <NativeSelect
        label="Forecast type"
        data={CAPACITY_FORECAST_TYPES.filter((t) => t !== 'OPTIMUM')}
        {...form.getInputProps('type')}
      />
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
