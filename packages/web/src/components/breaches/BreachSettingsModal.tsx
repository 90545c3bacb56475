import { NumberInput, SimpleGrid, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { breachSettingsBody } from '@openvelope/server/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { depotKeys, putBreachSettings } from '../../api/microgrid';
import type { BreachSettingsBody } from '../../api/types';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { toNumber } from '../../forms/values';
import { FormModal, ModalForm } from '../FormModal';

export interface BreachSettingsValues extends Record<string, unknown> {
  tolerancePercent: number | string;
  toleranceA: number | string;
  holdSeconds: number | string;
  worseningPercent: number | string;
}

export function breachSettingsRequest(v: BreachSettingsValues) {
  return {
    tolerancePercent: toNumber(v.tolerancePercent),
    toleranceA: toNumber(v.toleranceA),
    holdSeconds: toNumber(v.holdSeconds),
    worseningPercent: toNumber(v.worseningPercent),
  };
}

/** A circuit's breach rule: how far over, for how long, and how much worse counts. */
export function BreachSettingsModal({
  circuitId,
  settings,
  onClose,
}: {
  circuitId: string;
  settings: BreachSettingsBody;
  onClose: () => void;
}) {
  return (
    <FormModal opened onClose={onClose} title="Breach detection">
      <BreachSettingsForm circuitId={circuitId} settings={settings} onClose={onClose} />
    </FormModal>
  );
}

function BreachSettingsForm({
  circuitId,
  settings,
  onClose,
}: {
  circuitId: string;
  settings: BreachSettingsBody;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: { ...settings } satisfies BreachSettingsValues as BreachSettingsValues,
    schema: breachSettingsBody,
    toRequest: breachSettingsRequest,
  });
  const save = useMutation({
    mutationFn: (body: BreachSettingsBody) => putBreachSettings(circuitId, body),
    onSuccess: async (updated) => {
      queryClient.setQueryData(depotKeys.breaches(circuitId), updated);
      notifications.show({ color: 'teal', title: 'Saved', message: 'Breach detection updated.' });
      onClose();
    },
  });
  return (
    <ModalForm
      onSubmit={submitTo(form, save.mutate)}
      onCancel={onClose}
      pending={save.isPending}
      error={save.error}
      submitLabel="Save"
      submitTestId="breach-settings-save"
    >
      <Text size="sm" c="dimmed">
        A phase is over the limit when it draws more than the tolerance above it. A breach starts
        when the load stays over for the hold time, and ends when it stays back under for as long.
      </Text>
      <SimpleGrid cols={2}>
        <NumberInput
          label="Tolerance (% of the limit)"
          min={0}
          decimalScale={1}
          {...form.getInputProps('tolerancePercent')}
          data-testid="breach-tolerance-percent"
        />
        <NumberInput
          label="Tolerance at least (A)"
          min={0}
          decimalScale={1}
          {...form.getInputProps('toleranceA')}
          data-testid="breach-tolerance-a"
        />
        <NumberInput
          label="Hold time (s)"
          min={1}
          {...form.getInputProps('holdSeconds')}
          data-testid="breach-hold-seconds"
        />
        <NumberInput
          label="Worse by (% of the limit)"
          min={1}
          decimalScale={1}
          {...form.getInputProps('worseningPercent')}
          data-testid="breach-worsening-percent"
        />
      </SimpleGrid>
    </ModalForm>
  );
}
