import { NumberInput, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { startSessionBody } from '@openvelope/server/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { depotKeys, startSession } from '../api/microgrid';
import type { ChargerView } from '../api/types';
import { submitTo, useSchemaForm } from '../forms/schema-form';
import { optionalText, toNumber } from '../forms/values';
import { FormModal, ModalForm } from './FormModal';

export function sessionRequest(v: { vehicleLabel: string; vehicleMaxCurrentA: number | string }) {
  return {
    vehicleLabel: optionalText(v.vehicleLabel),
    // Empty means no vehicle maximum; anything typed is checked by the server's rule.
    vehicleMaxCurrentA: v.vehicleMaxCurrentA === '' ? undefined : toNumber(v.vehicleMaxCurrentA),
  };
}

/** Start a charging session on an idle charger (vehicle label and its maximum current optional). */
export function StartSessionModal({
  charger,
  onClose,
}: {
  charger: ChargerView | null;
  onClose: () => void;
}) {
  return (
    <FormModal
      opened={charger !== null}
      title={`Start a session on ${charger?.name ?? ''}`}
      onClose={onClose}
    >
      {charger && <StartSessionForm charger={charger} onClose={onClose} />}
    </FormModal>
  );
}

function StartSessionForm({ charger, onClose }: { charger: ChargerView; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: { vehicleLabel: '', vehicleMaxCurrentA: '' as number | string },
    schema: startSessionBody,
    toRequest: sessionRequest,
  });
  const start = useMutation({
    mutationFn: (body: z.output<typeof startSessionBody>) => startSession(charger.id, body),
    onSuccess: async () => {
      notifications.show({
        color: 'teal',
        title: 'Session started',
        message: `${charger.name} is charging; capacity was rebalanced.`,
      });
      onClose();
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });

  return (
    <ModalForm
      onSubmit={submitTo(form, start.mutate)}
      onCancel={onClose}
      pending={start.isPending}
      error={start.error}
      submitLabel="Start session"
      submitTestId="confirm-start-session"
    >
      <TextInput
        label="Vehicle"
        description="Optional label, e.g. a fleet number"
        placeholder="Bus 101"
        {...form.getInputProps('vehicleLabel')}
        data-testid="session-vehicle"
        data-autofocus
      />
      <NumberInput
        label="Vehicle maximum current (A)"
        description="Optional; the balancer never allocates more than this"
        min={0}
        decimalScale={1}
        {...form.getInputProps('vehicleMaxCurrentA')}
        data-testid="session-vehicle-max"
      />
    </ModalForm>
  );
}
