import { NumberInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { createCircuitBody } from '@openvelope/server/contract';
import type { z } from 'zod';
import { createCircuit, updateCircuit } from '../../api/microgrid';
import type { CircuitSummary } from '../../api/types';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { toNumber } from '../../forms/values';
import { FormModal, ModalForm } from '../FormModal';
import { useModelMutation } from './useModelMutation';

export interface CircuitValues extends Record<string, unknown> {
  name: string;
  phaseCount: '1' | '3';
  nominalVoltageV: number | string;
  staticCapacityA: number | string;
}

type CircuitRequest = z.output<typeof createCircuitBody>;

export function circuitRequest(v: CircuitValues) {
  return {
    name: v.name.trim(),
    phaseCount: Number(v.phaseCount),
    nominalVoltageV: toNumber(v.nominalVoltageV),
    staticCapacityA: toNumber(v.staticCapacityA),
  };
}

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
  return (
    <FormModal
      opened={opened}
      title={circuit ? `Edit circuit ${circuit.name}` : 'Add a circuit'}
      onClose={onClose}
    >
      <CircuitForm microgridId={microgridId} circuit={circuit} onClose={onClose} />
    </FormModal>
  );
}

export function CircuitForm({
  microgridId,
  circuit,
  onClose,
}: {
  microgridId: string;
  circuit: CircuitSummary | null;
  onClose: () => void;
}) {
  const form = useSchemaForm({
    initialValues: {
      name: circuit?.name ?? '',
      phaseCount: circuit?.phaseCount === 1 ? '1' : '3',
      nominalVoltageV: circuit?.nominalVoltageV ?? 230,
      staticCapacityA: circuit?.staticCapacityA ?? '',
    },
    // An edit sends the same fields but the phase count, under the same rules.
    schema: createCircuitBody,
    toRequest: circuitRequest,
  });
  const save = useModelMutation(
    (request: CircuitRequest) => {
      if (!circuit) return createCircuit(microgridId, request);
      const { phaseCount: _unchangeable, ...changes } = request;
      return updateCircuit(circuit.id, changes);
    },
    (body) => (circuit ? `Circuit ${body.name} updated.` : `Circuit ${body.name} added.`),
    onClose,
  );

  return (
    <ModalForm
      onSubmit={submitTo(form, save.mutate)}
      onCancel={onClose}
      pending={save.isPending}
      error={save.error}
      submitLabel={circuit ? 'Save' : 'Add circuit'}
      submitTestId="circuit-save"
    >
      <TextInput
        label="Name"
        {...form.getInputProps('name')}
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
          {...form.getInputProps('phaseCount')}
          data={[
            { value: '1', label: '1-phase' },
            { value: '3', label: '3-phase' },
          ]}
          disabled={circuit !== null}
          data-testid="circuit-phase-count"
        />
        {(circuit !== null || form.errors.phaseCount) && (
          <Text size="xs" c={form.errors.phaseCount ? 'red' : 'dimmed'}>
            {form.errors.phaseCount ?? 'The phase count cannot change once the circuit exists.'}
          </Text>
        )}
      </Stack>
      <NumberInput
        label="Nominal voltage (V)"
        description="Phase-to-neutral, used to convert kW limits to A"
        min={1}
        {...form.getInputProps('nominalVoltageV')}
        data-testid="circuit-voltage"
      />
      <NumberInput
        label="Static capacity (A per phase)"
        description="The circuit's own limit; no envelope can raise it"
        min={0}
        decimalScale={1}
        {...form.getInputProps('staticCapacityA')}
        data-testid="circuit-static-capacity"
        required
      />
    </ModalForm>
  );
}
