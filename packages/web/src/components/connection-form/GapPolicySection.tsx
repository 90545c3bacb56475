import { NativeSelect, NumberInput, SimpleGrid } from '@mantine/core';
import { SELECTABLE_GAP_POLICIES } from '@openvelope/server/oscp-profile';
import { FormSection, type ConnectionForm } from './FormSection';

const GAP_POLICY_LABEL: Record<string, string> = {
  SAFE_DEFAULT_CAPACITY: 'Safe default capacity',
  LOCAL_CONTROL: 'Local control (the circuit’s own capacity)',
  DEAD_RECKONING: 'Dead reckoning (planned)',
};

/** What limits the scope while the connection is up but no forecast block covers now. */
export function GapPolicySection({ form }: { form: ConnectionForm }) {
  const safeDefault = form.values.gapPolicy === 'SAFE_DEFAULT_CAPACITY';
  return (
    <FormSection
      title="When no forecast covers now (gap policy)"
      testId="gap-section"
      description="What limits the scope while the connection is up but no forecast block covers the present."
    >
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <NativeSelect
          label="Gap policy"
          {...form.getInputProps('gapPolicy')}
          data={Object.entries(GAP_POLICY_LABEL).map(([value, label]) => ({
            value,
            label,
            disabled: !(SELECTABLE_GAP_POLICIES as readonly string[]).includes(value),
          }))}
          data-testid="conn-gap-policy"
        />
        <NumberInput
          label="Safe default"
          {...form.getInputProps('safeDefaultCapacity.value')}
          allowNegative={false}
          min={0}
          disabled={!safeDefault}
          data-testid="conn-safe-default-value"
        />
        <NativeSelect
          label="Unit"
          {...form.getInputProps('safeDefaultCapacity.unit')}
          data={[
            { value: 'A', label: 'A per phase' },
            { value: 'KW', label: 'kW' },
          ]}
          disabled={!safeDefault}
          data-testid="conn-safe-default-unit"
        />
      </SimpleGrid>
    </FormSection>
  );
}
