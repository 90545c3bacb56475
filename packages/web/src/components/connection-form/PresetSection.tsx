import { Group, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { usePresets } from '../../api/oscp';
import { PRESET_LABEL } from '../oscp/StateBadges';
import { ErrorState, LoadingState } from '../States';
import type { Preset } from './connection-values';
import { FormSection, type ConnectionForm } from './FormSection';

/** The kind of Capacity Provider: choosing one fills the protocol fields with its defaults. */
export function PresetSection({
  form,
  editing,
  onPreset,
}: {
  form: ConnectionForm;
  editing: boolean;
  onPreset: (preset: Preset) => void;
}) {
  const presets = usePresets();
  const v = form.values;
  const selected = presets.data?.presets.find((p) => p.id === v.preset);
  return (
    <FormSection
      title="Preset"
      testId="preset-section"
      description={
        editing
          ? 'Choosing another preset replaces the protocol settings below with its defaults (name, binding, peer URL, secret names and reporting asset id stay). Nothing is saved until you save.'
          : 'Pick the kind of Capacity Provider first: its defaults fill the form, and you can change any field afterwards.'
      }
    >
      {presets.isPending ? (
        <LoadingState rows={2} label="Loading presets…" />
      ) : presets.isError && !presets.data ? (
        <ErrorState
          error={presets.error}
          title="Could not load the presets"
          onRetry={() => void presets.refetch()}
        />
      ) : (
        <Radio.Group
          value={v.preset}
          onChange={(value) => onPreset(value as Preset)}
          aria-label="Preset"
        >
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            {presets.data.presets.map((p) => (
              <Radio.Card
                key={p.id}
                value={p.id}
                radius="sm"
                p="sm"
                style={{ display: 'flex', alignItems: 'flex-start' }}
                data-testid={`preset-${p.id}`}
                data-selected={String(v.preset === p.id)}
              >
                <Group wrap="nowrap" align="flex-start" gap="sm">
                  <Radio.Indicator mt={2} />
                  <Stack gap={2}>
                    <Text fw={600} size="sm">
                      {p.label}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {p.description}
                    </Text>
                  </Stack>
                </Group>
              </Radio.Card>
            ))}
          </SimpleGrid>
        </Radio.Group>
      )}
      {form.errors.preset && (
        <Text size="xs" c="red.7">
          {form.errors.preset}
        </Text>
      )}
      {selected && (
        <Text size="xs" c="dimmed" data-testid="preset-summary">
          {PRESET_LABEL[selected.id] ?? selected.label} profile, as set below:{' '}
          {v.measurementConfiguration} measurements every{' '}
          {Number(v.measurementPublicationIntervalSeconds) / 60} minutes (
          {v.measurementPublicationIntervalSeconds} s),{' '}
          {v.authMode === 'OSCP_TOKEN' ? 'token exchange' : 'OAuth2 client credentials'}.
        </Text>
      )}
    </FormSection>
  );
}
