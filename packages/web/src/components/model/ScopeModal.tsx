import { Alert, MultiSelect, Text, TextInput } from '@mantine/core';
import { createScopeBody } from '@openvelope/server/contract';
import type { z } from 'zod';
import { createScope, updateScope } from '../../api/microgrid';
import type { CircuitSummary, ScopeSummary } from '../../api/types';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { FormModal, ModalForm } from '../FormModal';
import { useModelMutation } from './useModelMutation';

type ScopeRequest = z.output<typeof createScopeBody>;

/** Add or edit a managed scope: the target envelopes are sent for, mapped to circuits. */
export function ScopeModal({
  opened,
  microgridId,
  circuits,
  scope,
  onClose,
}: {
  opened: boolean;
  microgridId: string;
  circuits: CircuitSummary[];
  scope: ScopeSummary | null;
  onClose: () => void;
}) {
  return (
    <FormModal
      opened={opened}
      title={scope ? `Edit scope ${scope.name}` : 'Add a managed scope'}
      onClose={onClose}
    >
      <ScopeForm microgridId={microgridId} circuits={circuits} scope={scope} onClose={onClose} />
    </FormModal>
  );
}

function ScopeForm({
  microgridId,
  circuits,
  scope,
  onClose,
}: {
  microgridId: string;
  circuits: CircuitSummary[];
  scope: ScopeSummary | null;
  onClose: () => void;
}) {
  const form = useSchemaForm({
    initialValues: {
      name: scope?.name ?? '',
      circuitIds: scope
        ? scope.circuits.map((c) => c.id)
        : circuits.length === 1
          ? [circuits[0]!.id]
          : [],
    },
    schema: createScopeBody,
    toRequest: (v) => ({ name: v.name.trim(), circuitIds: v.circuitIds }),
  });
  const save = useModelMutation(
    (body: ScopeRequest): Promise<unknown> =>
      scope ? updateScope(scope.id, body) : createScope(microgridId, body),
    (body) => (scope ? `Scope ${body.name} updated.` : `Scope ${body.name} added.`),
    onClose,
  );
  const mapped = form.values.circuitIds.length;

  return (
    <ModalForm
      onSubmit={submitTo(form, save.mutate)}
      onCancel={onClose}
      pending={save.isPending}
      error={save.error}
      submitLabel={scope ? 'Save' : 'Add scope'}
      submitTestId="scope-save"
    >
      <Text size="xs" c="dimmed">
        A managed scope is what a grid operator sends envelopes for. It must map to exactly one
        circuit for its envelopes to apply.
      </Text>
      <TextInput
        label="Name"
        {...form.getInputProps('name')}
        data-testid="scope-name"
        data-autofocus
        maxLength={100}
        required
      />
      <MultiSelect
        label="Circuits"
        placeholder={circuits.length ? 'Pick the circuit this scope maps to' : 'No circuits yet'}
        data={circuits.map((c) => ({ value: c.id, label: c.name }))}
        {...form.getInputProps('circuitIds')}
        data-testid="scope-circuits"
        clearable
        searchable
      />
      {mapped !== 1 && (
        <Alert color="orange" variant="light" p="xs" data-testid="scope-mapping-hint">
          <Text size="sm">
            {mapped === 0
              ? 'Mapped to no circuit: envelopes for this scope will be rejected.'
              : 'Mapped to several circuits: envelopes for this scope will be rejected until it maps to one.'}
          </Text>
        </Alert>
      )}
    </ModalForm>
  );
}
