import {
  ActionIcon,
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { depotKeys, submitEnvelope } from '../api/microgrid';
import type { SubmitEnvelopeBody } from '../api/types';
import { errorFor, fieldErrorsOf, mergeErrors, toNumber, type FieldErrors } from '../forms';
import { formatAmps, fromZonedInputValue, toZonedInputValue } from '../format';
import { IconPlus, IconTrash } from './icons';
import { FormError } from './States';

type Unit = 'A' | 'KW';

interface BlockDraft {
  key: number;
  start: string;
  end: string;
  value: string | number;
  unit: Unit;
}

const HOUR = 3600_000;
let nextKey = 1;

function defaultBlock(
  timeZone: string,
  fromMs: number,
  value: string | number = '',
  unit: Unit = 'A',
): BlockDraft {
  return {
    key: nextKey++,
    start: toZonedInputValue(fromMs, timeZone),
    end: toZonedInputValue(fromMs + HOUR, timeZone),
    value,
    unit,
  };
}

/** Client-side checks; the server checks everything again and its field errors are shown too. */
function validate(
  scopeId: string,
  source: string,
  blocks: BlockDraft[],
  timeZone: string,
): FieldErrors {
  const errors: FieldErrors = {};
  if (!scopeId) errors.scope = 'Choose the managed scope the envelope is for';
  if (!source.trim()) errors.source = 'is required';
  blocks.forEach((b, i) => {
    const start = fromZonedInputValue(b.start, timeZone);
    const end = fromZonedInputValue(b.end, timeZone);
    if (!start) errors[`blocks.${i}.start`] = 'is not a valid time';
    if (!end) errors[`blocks.${i}.end`] = 'is not a valid time';
    if (start && end && end <= start) errors[`blocks.${i}.end`] = 'must be after start';
    const value = toNumber(b.value);
    if (value === undefined) errors[`blocks.${i}.importLimit.value`] = 'is required';
    else if (value < 0) errors[`blocks.${i}.importLimit.value`] = 'must be zero or more';
  });
  return errors;
}

export function EnvelopeForm({
  scopes,
  timeZone,
  staticCapacityA,
}: {
  scopes: { id: string; name: string }[];
  timeZone: string;
  staticCapacityA: number;
}) {
  const queryClient = useQueryClient();
  const [scopeId, setScopeId] = useState(scopes[0]?.id ?? '');
  const [source, setSource] = useState('Manual envelope');
  const [blocks, setBlocks] = useState<BlockDraft[]>(() => [defaultBlock(timeZone, Date.now())]);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});

  const submit = useMutation({
    mutationFn: (v: { scopeId: string; body: SubmitEnvelopeBody }) =>
      submitEnvelope(v.scopeId, v.body),
    onSuccess: async (envelope) => {
      notifications.show({
        color: 'teal',
        title: 'Envelope accepted',
        message: `“${envelope.source}” is ${envelope.status.toLowerCase()} with ${envelope.blocks.length} block(s).`,
      });
      setBlocks([defaultBlock(timeZone, Date.now())]);
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });

  // The scopes can change under the form (live data): a scope that is gone falls back to the first.
  const selectedScope = scopes.some((s) => s.id === scopeId) ? scopeId : (scopes[0]?.id ?? '');
  const errors = mergeErrors(clientErrors, fieldErrorsOf(submit.error));

  const update = (key: number, patch: Partial<BlockDraft>) =>
    setBlocks((list) => list.map((b) => (b.key === key ? { ...b, ...patch } : b)));

  const addBlock = () =>
    setBlocks((list) => {
      const last = list[list.length - 1];
      const from = (last && fromZonedInputValue(last.end, timeZone)?.getTime()) || Date.now();
      return [...list, defaultBlock(timeZone, from, last?.value ?? '', last?.unit ?? 'A')];
    });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = validate(selectedScope, source, blocks, timeZone);
    setClientErrors(found);
    if (Object.keys(found).length > 0) return;
    submit.mutate({
      scopeId: selectedScope,
      body: {
        source: source.trim(),
        blocks: blocks.map((b) => ({
          start: fromZonedInputValue(b.start, timeZone)!.toISOString(),
          end: fromZonedInputValue(b.end, timeZone)!.toISOString(),
          importLimit: { value: toNumber(b.value)!, unit: b.unit },
        })),
      },
    });
  };

  if (scopes.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="envelope-no-scope">
        This circuit is in no managed scope, so no envelope can be submitted for it. Map a scope to
        it in Depot model.
      </Text>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate data-testid="envelope-form">
      <Stack gap="sm">
        <Group grow align="flex-start">
          <NativeSelect
            label="Managed scope"
            data={scopes.map((s) => ({ value: s.id, label: s.name }))}
            value={selectedScope}
            onChange={(e) => setScopeId(e.currentTarget.value)}
            error={errors.scope}
            data-testid="envelope-scope"
          />
          <TextInput
            label="Source description"
            value={source}
            onChange={(e) => setSource(e.currentTarget.value)}
            error={errorFor(errors, 'source')}
            data-testid="envelope-source"
            maxLength={200}
          />
        </Group>
        <Text size="xs" c="dimmed">
          Times are in {timeZone}. The limit is per phase in A, or the circuit’s total in kW (static
          capacity is {formatAmps(staticCapacityA)} per phase).
        </Text>
        {errors.blocks && (
          <Text size="sm" c="red">
            Blocks: {errors.blocks}
          </Text>
        )}
        {blocks.map((b, i) => (
          <Paper key={b.key} p="xs" bg="gray.0" data-testid="envelope-block">
            <Group align="flex-start" gap="sm" wrap="wrap">
              <Text size="xs" c="dimmed" fw={600} pt={30} w={52}>
                Block {i + 1}
              </Text>
              <TextInput
                type="datetime-local"
                label="Start"
                value={b.start}
                onChange={(e) => update(b.key, { start: e.currentTarget.value })}
                error={errorFor(errors, `blocks.${i}.start`)}
                data-testid="envelope-block-start"
                w={210}
              />
              <TextInput
                type="datetime-local"
                label="End"
                value={b.end}
                onChange={(e) => update(b.key, { end: e.currentTarget.value })}
                error={errorFor(errors, `blocks.${i}.end`)}
                data-testid="envelope-block-end"
                w={210}
              />
              <NumberInput
                label="Import limit"
                min={0}
                decimalScale={1}
                value={b.value}
                onChange={(value) => update(b.key, { value })}
                error={errorFor(errors, `blocks.${i}.importLimit`)}
                data-testid="envelope-limit"
                w={130}
                hideControls
              />
              <NativeSelect
                label="Unit"
                data={[
                  { value: 'A', label: 'A' },
                  { value: 'KW', label: 'kW' },
                ]}
                value={b.unit}
                onChange={(e) => update(b.key, { unit: e.currentTarget.value as Unit })}
                data-testid="envelope-unit"
                w={80}
              />
              {blocks.length > 1 && (
                <Tooltip label="Remove this block" withArrow>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    mt={28}
                    aria-label={`Remove block ${i + 1}`}
                    onClick={() => setBlocks((list) => list.filter((x) => x.key !== b.key))}
                    data-testid="envelope-remove-block"
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              )}
            </Group>
          </Paper>
        ))}
        <FormError error={submit.error} testId="envelope-error" />
        <Group justify="space-between">
          <Button
            variant="subtle"
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={addBlock}
            data-testid="envelope-add-block"
          >
            Add block
          </Button>
          <Button type="submit" loading={submit.isPending} data-testid="envelope-submit">
            Submit envelope
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
