import { Button, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { depotKeys, startSession } from '../api/microgrid';
import type { ChargerView, StartSessionBody } from '../api/types';
import { errorFor, fieldErrorsOf, toNumber } from '../forms';
import { FormError } from './States';

/** Start a charging session on an idle charger (vehicle label and its maximum current optional). */
export function StartSessionModal({
  charger,
  onClose,
}: {
  charger: ChargerView | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [vehicleLabel, setVehicleLabel] = useState('');
  const [vehicleMax, setVehicleMax] = useState<string | number>('');
  const [clientError, setClientError] = useState<string | undefined>();

  const start = useMutation({
    mutationFn: (body: StartSessionBody) => startSession(charger!.id, body),
    onSuccess: async () => {
      notifications.show({
        color: 'teal',
        title: 'Session started',
        message: `${charger?.name ?? 'The charger'} is charging; capacity was rebalanced.`,
      });
      onClose();
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });
  const { reset } = start;

  useEffect(() => {
    if (charger) {
      setVehicleLabel('');
      setVehicleMax('');
      setClientError(undefined);
      reset();
    }
  }, [charger, reset]);

  const serverErrors = fieldErrorsOf(start.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const max = toNumber(vehicleMax);
    if (vehicleMax !== '' && (max === undefined || max <= 0)) {
      setClientError('must be more than 0');
      return;
    }
    setClientError(undefined);
    start.mutate({
      ...(vehicleLabel.trim() ? { vehicleLabel: vehicleLabel.trim() } : {}),
      ...(max !== undefined ? { vehicleMaxCurrentA: max } : {}),
    });
  };

  return (
    <Modal
      opened={charger !== null}
      onClose={onClose}
      title={<Text fw={600}>Start a session on {charger?.name}</Text>}
      centered
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Vehicle"
            description="Optional label, e.g. a fleet number"
            placeholder="Bus 101"
            value={vehicleLabel}
            onChange={(e) => setVehicleLabel(e.currentTarget.value)}
            error={errorFor(serverErrors, 'vehicleLabel')}
            data-testid="session-vehicle"
            data-autofocus
          />
          <NumberInput
            label="Vehicle maximum current (A)"
            description="Optional; the balancer never allocates more than this"
            min={0}
            decimalScale={1}
            value={vehicleMax}
            onChange={setVehicleMax}
            error={clientError ?? errorFor(serverErrors, 'vehicleMaxCurrentA')}
            data-testid="session-vehicle-max"
          />
          <FormError error={start.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={start.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={start.isPending} data-testid="confirm-start-session">
              Start session
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
