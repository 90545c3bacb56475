import { Chip, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { createCharger, updateCharger } from '../../api/microgrid';
import { PHASES, type ChargerCreateBody, type ChargerView, type Phase } from '../../api/types';
import { errorFor, fieldErrorsOf, mergeErrors, toNumber, type FieldErrors } from '../../forms';
import { FormModal } from '../FormModal';
import { useModelMutation } from './useModelMutation';

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
  const available: readonly Phase[] = useMemo(
    () => (circuitPhaseCount === 1 ? ['L1'] : PHASES),
    [circuitPhaseCount],
  );
  const [name, setName] = useState('');
  const [phases, setPhases] = useState<string[]>([]);
  const [min, setMin] = useState<string | number>(6);
  const [max, setMax] = useState<string | number>(32);
  const [priority, setPriority] = useState<string | number>(0);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});

  const save = useModelMutation(
    (body: ChargerCreateBody): Promise<unknown> =>
      charger
        ? updateCharger(charger.id, {
            name: body.name,
            minCurrentA: body.minCurrentA,
            maxCurrentA: body.maxCurrentA,
            priority: body.priority,
          })
        : createCharger(circuitId, body),
    (body) => (charger ? `Charger ${body.name} updated.` : `Charger ${body.name} added.`),
    onClose,
  );
  const { reset } = save;

  useEffect(() => {
    if (!opened) return;
    setName(charger?.name ?? '');
    setPhases(charger ? [...charger.phases] : [...available]);
    setMin(charger?.minCurrentA ?? 6);
    setMax(charger?.maxCurrentA ?? 32);
    setPriority(charger?.priority ?? 0);
    setClientErrors({});
    reset();
  }, [opened, charger, available, reset]);

  const errors = mergeErrors(clientErrors, fieldErrorsOf(save.error));
  const onSubmit = () => {
    const found: FieldErrors = {};
    const minA = toNumber(min);
    const maxA = toNumber(max);
    const prio = toNumber(priority);
    if (!name.trim()) found.name = 'is required';
    if (phases.length !== 1 && phases.length !== 3)
      found.phases = 'a charger draws on 1 or 3 phases';
    if (minA === undefined || minA < 0) found.minCurrentA = 'must be zero or more';
    if (maxA === undefined || maxA <= 0) found.maxCurrentA = 'must be more than 0';
    else if (minA !== undefined && maxA < minA) found.maxCurrentA = 'must be at least the minimum';
    if (prio === undefined || !Number.isInteger(prio)) found.priority = 'must be a whole number';
    setClientErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate({
      name: name.trim(),
      phases: PHASES.filter((p) => phases.includes(p)),
      minCurrentA: minA!,
      maxCurrentA: maxA!,
      priority: prio!,
    });
  };

  return (
    <FormModal
      opened={opened}
      title={charger ? `Edit charger ${charger.name}` : 'Add a charger'}
      onClose={onClose}
      onSubmit={onSubmit}
      loading={save.isPending}
      error={save.error}
      submitLabel={charger ? 'Save' : 'Add charger'}
      submitTestId="charger-save"
    >
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errorFor(errors, 'name')}
        data-testid="charger-name-input"
        data-autofocus
        maxLength={100}
        required
      />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Phases
        </Text>
        <Chip.Group multiple value={phases} onChange={setPhases}>
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
        <Text
          size="xs"
          c={errorFor(errors, 'phases') ? 'red' : 'dimmed'}
          data-testid="charger-phases-hint"
        >
          {errorFor(errors, 'phases') ??
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
          value={min}
          onChange={setMin}
          error={errorFor(errors, 'minCurrentA')}
          data-testid="charger-min"
        />
        <NumberInput
          label="Max current (A)"
          min={0}
          decimalScale={1}
          value={max}
          onChange={setMax}
          error={errorFor(errors, 'maxCurrentA')}
          data-testid="charger-max"
        />
        <NumberInput
          label="Priority"
          description="Lower is paused first when short"
          allowDecimal={false}
          value={priority}
          onChange={setPriority}
          error={errorFor(errors, 'priority')}
          data-testid="charger-priority"
        />
      </Group>
    </FormModal>
  );
}
