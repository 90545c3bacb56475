import { Anchor, NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import { Link } from 'react-router-dom';
import { errorDetail } from '../../api/client';
import { useMicrogrids } from '../../api/queries';
import { FormSection, type ConnectionForm } from './FormSection';

/** Which group of the peer's this is, and the managed scope its forecasts constrain. */
export function BindingSection({ form }: { form: ConnectionForm }) {
  const microgrids = useMicrogrids(false);
  const list = microgrids.data?.microgrids ?? [];
  const microgrid = list.find((m) => m.id === form.values.microgridId);
  const scopes = microgrid?.scopes ?? [];
  const scope = scopes.find((s) => s.id === form.values.scopeId);
  const microgridInput = form.getInputProps('microgridId');
  return (
    <FormSection title="Binding" testId="binding-section">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Display name"
          required
          {...form.getInputProps('displayName')}
          data-testid="conn-display-name"
        />
        <TextInput
          label="Group id (external)"
          description="The Capacity Provider's group_id, exactly as it sends it"
          required
          {...form.getInputProps('groupId')}
          data-testid="conn-group-id"
        />
        <NativeSelect
          label="Microgrid"
          required
          {...microgridInput}
          onChange={(e) => {
            // Another microgrid has other scopes: the chosen scope goes.
            form.setFieldValue('scopeId', '');
            microgridInput.onChange(e);
          }}
          disabled={microgrids.isPending}
          data={[
            {
              value: '',
              label: microgrids.isPending
                ? 'Loading microgrids…'
                : list.length === 0
                  ? 'No microgrids yet'
                  : 'Choose a microgrid',
            },
            ...list.map((m) => ({ value: m.id, label: m.name })),
          ]}
          error={
            form.errors.microgridId ??
            (microgrids.isError && !microgrids.data
              ? `Could not load the microgrids: ${errorDetail(microgrids.error)}`
              : undefined)
          }
          description={
            microgrids.isSuccess && list.length === 0 ? (
              <>
                Create one in{' '}
                <Anchor component={Link} to="/model" size="xs">
                  Depot model
                </Anchor>
              </>
            ) : undefined
          }
          data-testid="conn-microgrid"
        />
        <NativeSelect
          label="Managed scope"
          required
          {...form.getInputProps('scopeId')}
          disabled={!microgrid}
          data={[
            {
              value: '',
              label: !microgrid
                ? 'Choose a microgrid first'
                : scopes.length === 0
                  ? 'This microgrid has no scopes'
                  : 'Choose a scope',
            },
            ...scopes.map((s) => ({
              value: s.id,
              label: s.circuit
                ? `${s.name} → ${s.circuit.name}`
                : `${s.name} (${
                    s.mappingProblem === 'MULTIPLE_CIRCUITS'
                      ? 'maps to several circuits'
                      : 'maps to no circuit'
                  }: fix it in Depot model)`,
              disabled: s.circuit === null,
            })),
          ]}
          description={
            scope?.circuit
              ? `Forecasts on this connection constrain circuit ${scope.circuit.name}`
              : 'Each scope must map to exactly one circuit; others are listed but disabled'
          }
          data-testid="conn-scope"
        />
      </SimpleGrid>
    </FormSection>
  );
}
