import { Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { depotKeys, submitEnvelope } from '../../api/microgrid';
import { formatAmps, fromZonedInputValue } from '../../format';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { IconPlus } from '../icons';
import { FormError } from '../States';
import { EnvelopeBlockFields } from './EnvelopeBlockFields';
import {
  blockRules,
  envelopeRequest,
  newBlock,
  toEnvelopeRequest,
  type EnvelopeRequest,
  type EnvelopeValues,
} from './envelope-request';

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
  const form = useSchemaForm({
    initialValues: {
      scopeId: scopes[0]?.id ?? '',
      source: 'Manual envelope',
      blocks: [newBlock(timeZone, Date.now())],
    } as EnvelopeValues,
    schema: envelopeRequest,
    toRequest: (v) => toEnvelopeRequest(v, timeZone),
    rules: blockRules,
  });
  const submit = useMutation({
    mutationFn: ({ scopeId, ...body }: EnvelopeRequest) => submitEnvelope(scopeId, body),
    onSuccess: async (envelope) => {
      notifications.show({
        color: 'teal',
        title: 'Envelope accepted',
        message: `“${envelope.source}” is ${envelope.status.toLowerCase()} with ${envelope.blocks.length} block(s).`,
      });
      form.setFieldValue('blocks', [newBlock(timeZone, Date.now())]);
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });

  // The scopes can change under the form (live data): a scope that is gone falls back to the first.
  const scopeId = form.values.scopeId;
  const { setFieldValue } = form;
  useEffect(() => {
    if (scopes.length > 0 && !scopes.some((s) => s.id === scopeId)) {
      setFieldValue('scopeId', scopes[0]!.id);
    }
  }, [scopes, scopeId, setFieldValue]);

  const addBlock = () => {
    const last = form.values.blocks[form.values.blocks.length - 1];
    const from = (last && fromZonedInputValue(last.end, timeZone)?.getTime()) || Date.now();
    form.insertListItem('blocks', newBlock(timeZone, from, last?.importLimit));
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
    <form onSubmit={submitTo(form, submit.mutate)} noValidate data-testid="envelope-form">
      <Stack gap="sm">
        <Group grow align="flex-start">
          <NativeSelect
            label="Managed scope"
            data={scopes.map((s) => ({ value: s.id, label: s.name }))}
            {...form.getInputProps('scopeId')}
            data-testid="envelope-scope"
          />
          <TextInput
            label="Source description"
            {...form.getInputProps('source')}
            data-testid="envelope-source"
            maxLength={200}
          />
        </Group>
        <Text size="xs" c="dimmed">
          Times are in {timeZone}. The limit is per phase in A, or the circuit’s total in kW (static
          capacity is {formatAmps(staticCapacityA)} per phase).
        </Text>
        {form.errors.blocks && (
          <Text size="sm" c="red">
            Blocks: {form.errors.blocks}
          </Text>
        )}
        {form.values.blocks.map((b, i) => (
          <EnvelopeBlockFields
            key={b.key}
            form={form}
            index={i}
            removable={form.values.blocks.length > 1}
          />
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
