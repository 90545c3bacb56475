import { Chip, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { createChargerBody, phaseSchema } from '@openvelope/server/contract';
import type { z } from 'zod';
import { createCharger, updateCharger } from '../../api/microgrid';
import type { ChargerView, Phase } from '../../api/types';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { toNumber } from '../../forms/values';
import { FormModal, ModalForm } from '../FormModal';
import { useModelMutation } from './useModelMutation';

const PHASES = phaseSchema.options;
type ChargerRequest = z.output<typeof createChargerBody>;

export interface ChargerValues extends Record<string, unknown> {
  name: string;
  phases: string[];
  minCurrentA: number | string;
  maxCurrentA: number | string;
  priority: number | string;
}

export function chargerRequest(v: ChargerValues) {
  return {
    name: v.name.trim(),
    // In L1, L2, L3 order whatever order they were picked in.
    phases: PHASES.filter((p) => v.phases.includes(p)),
    minCurrentA: toNumber(v.minCurrentA),
    maxCurrentA: toNumber(v.maxCurrentA),
    priority: toNumber(v.priority),
  };
}

/** Add a charger to a circuit, or edit one (its phases are fixed once created). */
export function ChargerModal({
  opened,
  circuitId,
  circuitPhaseCount,
  charger,
  onClose,
}: {
  opened: boolean;
  circuitId: string;
  circuitPhaseCount: number;
  charger: ChargerView | null;
  onClose: () => void;
}) {
  return (
    <FormModal
      opened={opened}
      title={charger ? `Edit charger ${charger.name}` : 'Add a charger'}
      onClose={onClose}
    >
      <ChargerForm
        circuitId={circuitId}
        circuitPhaseCount={circuitPhaseCount}
        charger={charger}
        onClose={onClose}
      />
    </FormModal>
  );
}

function ChargerForm({
  circuitId,
  circuitPhaseCount,
  charger,
  onClose,
}: {
  circuitId: string;
  circuitPhaseCount: number;
  charger: ChargerView | null;
  onClose: () => void;
}) {
  const available: readonly Phase[] = circuitPhaseCount === 1 ? ['L1'] : PHASES;
  const form = useSchemaForm({
    initialValues: {
      name: charger?.name ?? '',
      phases: charger ? [...charger.phases] : [...available],
      minCurrentA: charger?.minCurrentA ?? 6,
      maxCurrentA: charger?.maxCurrentA ?? 32,
      priority: charger?.priority ?? 0,
    } satisfies ChargerValues,
    // An edit keeps the phases and sends the rest, under the same rules.
    schema: createChargerBody,
    toRequest: chargerRequest,
  });
  const save = useModelMutation(
    (request: ChargerRequest): Promise<unknown> => {
      if (!charger) return createCharger(circuitId, request);
      const { phases: _unchangeable, ...changes } = request;
      return updateCharger(charger.id, changes);
    },
    (body) => (charger ? `Charger ${body.name} updated.` : `Charger ${body.name} added.`),
    onClose,
  );
  const phasesError = form.errors.phases;

  return (
    <ModalForm
      onSubmit={submitTo(form, save.mutate)}
      onCancel={onClose}
      pending={save.isPending}
      error={save.error}
      submitLabel={charger ? 'Save' : 'Add charger'}
      submitTestId="charger-save"
    >
      <TextInput
        label="Name"
        {...form.getInputProps('name')}
        data-testid="charger-name-input"
        data-autofocus
        maxLength={100}
        required
      />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Phases
        </Text>
        <Chip.Group multiple {...form.getInputProps('phases')}>
          <Group gap="xs">
            {PHASES.map((p) => (
              <Chip
                key={p}
                value={p}
                size="sm"
                disabled={charger !== null || !available.includes(p)}
                wrapperProps={{ 'data-testid': `charger-phase-${p}` }}
              >
                {p}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        <Text size="xs" c={phasesError ? 'red' : 'dimmed'} data-testid="charger-phases-hint">
          {phasesError ??
            (charger
              ? 'Phases cannot change once the charger exists.'
              : circuitPhaseCount === 1
                ? 'A single-phase circuit: the charger draws on L1.'
                : 'One phase for a single-phase charger, all three for a three-phase one.')}
        </Text>
      </Stack>
      <Group grow align="flex-start">
        <NumberInput
          label="Min current (A)"
          min={0}
          decimalScale={1}
          {...form.getInputProps('minCurrentA')}
          data-testid="charger-min"
        />
        <NumberInput
          label="Max current (A)"
          min={0}
          decimalScale={1}
          {...form.getInputProps('maxCurrentA')}
          data-testid="charger-max"
        />
        <NumberInput
          label="Priority"
          description="Lower is paused first when short"
          allowDecimal={false}
          {...form.getInputProps('priority')}
          data-testid="charger-priority"
        />
      </Group>
    </ModalForm>
  );
}
