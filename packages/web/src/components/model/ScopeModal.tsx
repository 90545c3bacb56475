import { Alert, MultiSelect, Text, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { createScope, updateScope } from '../../api/microgrid';
import type { CircuitSummary, ScopeBody, ScopeSummary } from '../../api/types';
import { errorFor, fieldErrorsOf, mergeErrors, type FieldErrors } from '../../forms';
import { FormModal } from '../FormModal';
import { useModelMutation } from './useModelMutation';

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
  const [name, setName] = useState('');
  const [circuitIds, setCircuitIds] = useState<string[]>([]);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useModelMutation(
    (body: ScopeBody): Promise<unknown> =>
      scope ? updateScope(scope.id, body) : createScope(microgridId, body),
    (body) => (scope ? `Scope ${body.name} updated.` : `Scope ${body.name} added.`),
    onClose,
  );
  const { reset } = save;

  useEffect(() => {
    if (!opened) return;
    setName(scope?.name ?? '');
    setCircuitIds(
      scope ? scope.circuits.map((c) => c.id) : circuits.length === 1 ? [circuits[0]!.id] : [],
    );
    setClientErrors({});
    reset();
  }, [opened, scope, circuits, reset]);

  const errors = mergeErrors(clientErrors, fieldErrorsOf(save.error));
  const onSubmit = () => {
    const found: FieldErrors = {};
    if (!name.trim()) found.name = 'is required';
    setClientErrors(found);
    if (Object.keys(found).length === 0) save.mutate({ name: name.trim(), circuitIds });
  };

  return (
    <FormModal
      opened={opened}
      title={scope ? `Edit scope ${scope.name}` : 'Add a managed scope'}
      onClose={onClose}
      onSubmit={onSubmit}
      loading={save.isPending}
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
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errorFor(errors, 'name')}
        data-testid="scope-name"
        data-autofocus
        maxLength={100}
        required
      />
      <MultiSelect
        label="Circuits"
        placeholder={circuits.length ? 'Pick the circuit this scope maps to' : 'No circuits yet'}
        data={circuits.map((c) => ({ value: c.id, label: c.name }))}
        value={circuitIds}
        onChange={setCircuitIds}
        error={errorFor(errors, 'circuitIds')}
        data-testid="scope-circuits"
        clearable
        searchable
      />
      {circuitIds.length !== 1 && (
        <Alert color="orange" variant="light" p="xs" data-testid="scope-mapping-hint">
          <Text size="sm">
            {circuitIds.length === 0
              ? 'Mapped to no circuit: envelopes for this scope will be rejected.'
              : 'Mapped to several circuits: envelopes for this scope will be rejected until it maps to one.'}
          </Text>
        </Alert>
      )}
    </FormModal>
  );
}
