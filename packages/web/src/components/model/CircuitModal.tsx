import { NumberInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { createCircuit, updateCircuit } from '../../api/microgrid';
import type { CircuitCreateBody, CircuitSummary } from '../../api/types';
import { errorFor, fieldErrorsOf, mergeErrors, toNumber, type FieldErrors } from '../../forms';
import { FormModal } from '../FormModal';
import { useModelMutation } from './useModelMutation';

/** Add a circuit to a microgrid, or edit one (phase count is fixed once created). */
export function CircuitModal({
  opened,
  microgridId,
  circuit,
  onClose,
}: {
  opened: boolean;
  microgridId: string;
  circuit: CircuitSummary | null;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [phaseCount, setPhaseCount] = useState<'1' | '3'>('3');
  const [voltage, setVoltage] = useState<string | number>(230);
  const [capacity, setCapacity] = useState<string | number>('');
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});

  const save = useModelMutation(
    (body: CircuitCreateBody) =>
      circuit
        ? updateCircuit(circuit.id, {
            name: body.name,
            nominalVoltageV: body.nominalVoltageV,
            staticCapacityA: body.staticCapacityA,
          })
        : createCircuit(microgridId, body),
    (body) => (circuit ? `Circuit ${body.name} updated.` : `Circuit ${body.name} added.`),
    onClose,
  );
  const { reset } = save;

  useEffect(() => {
    if (!opened) return;
    setName(circuit?.name ?? '');
    setPhaseCount(circuit?.phaseCount === 1 ? '1' : '3');
    setVoltage(circuit?.nominalVoltageV ?? 230);
    setCapacity(circuit?.staticCapacityA ?? '');
    setClientErrors({});
    reset();
  }, [opened, circuit, reset]);

  const errors = mergeErrors(clientErrors, fieldErrorsOf(save.error));
  const onSubmit = () => {
    const found: FieldErrors = {};
    const v = toNumber(voltage);
    const a = toNumber(capacity);
    if (!name.trim()) found.name = 'is required';
    if (v === undefined || v <= 0) found.nominalVoltageV = 'must be more than 0';
    if (a === undefined || a < 0) found.staticCapacityA = 'must be zero or more';
    setClientErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate({
      name: name.trim(),
      phaseCount: phaseCount === '1' ? 1 : 3,
      nominalVoltageV: v!,
      staticCapacityA: a!,
    });
  };

  return (
    <FormModal
      opened={opened}
      title={circuit ? `Edit circuit ${circuit.name}` : 'Add a circuit'}
      onClose={onClose}
      onSubmit={onSubmit}
      loading={save.isPending}
      error={save.error}
      submitLabel={circuit ? 'Save' : 'Add circuit'}
      submitTestId="circuit-save"
    >
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errorFor(errors, 'name')}
        data-testid="circuit-name"
        data-autofocus
        maxLength={100}
        required
      />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Phases
        </Text>
        <SegmentedControl
          value={phaseCount}
          onChange={(v) => setPhaseCount(v === '1' ? '1' : '3')}
          data={[
            { value: '1', label: '1-phase' },
            { value: '3', label: '3-phase' },
          ]}
          disabled={circuit !== null}
          data-testid="circuit-phase-count"
        />
        {(circuit !== null || errors.phaseCount) && (
          <Text size="xs" c={errors.phaseCount ? 'red' : 'dimmed'}>
            {errors.phaseCount ?? 'The phase count cannot change once the circuit exists.'}
          </Text>
        )}
      </Stack>
      <NumberInput
        label="Nominal voltage (V)"
        description="Phase-to-neutral, used to convert kW limits to A"
        min={1}
        value={voltage}
        onChange={setVoltage}
        error={errorFor(errors, 'nominalVoltageV')}
        data-testid="circuit-voltage"
      />
      <NumberInput
        label="Static capacity (A per phase)"
        description="The circuit's own limit; no envelope can raise it"
        min={0}
        decimalScale={1}
        value={capacity}
        onChange={setCapacity}
        error={errorFor(errors, 'staticCapacityA')}
        data-testid="circuit-static-capacity"
        required
      />
    </FormModal>
  );
}
