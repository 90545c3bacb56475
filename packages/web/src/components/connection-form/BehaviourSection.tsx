import { Checkbox, NativeSelect, NumberInput, SimpleGrid, TextInput } from '@mantine/core';
import { INSTANTANEOUS_UNITS, MEASUREMENT_CONFIGURATIONS } from '@openvelope/server/oscp-profile';
import { intervalText } from '../oscp/measurements/measurement-format';
import { INTERVALS } from './connection-values';
import { FormSection, type ConnectionForm } from './FormSection';

/** What we publish to the peer and how often, and how heartbeats and handshakes go. */
export function BehaviourSection({ form }: { form: ConnectionForm }) {
  const assetMode = form.values.measurementPublicationMode === 'ASSET';
  return (
    <FormSection title="Measurements and heartbeats" testId="behaviour-section">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <NativeSelect
          label="Measurement publication"
          {...form.getInputProps('measurementPublicationMode')}
          data={[
            { value: 'GROUP', label: 'GROUP: one measurement for the group' },
            { value: 'ASSET', label: 'ASSET: per reporting asset' },
          ]}
          data-testid="conn-measurement-mode"
        />
        <TextInput
          label="Reporting asset id"
          description={
            assetMode
              ? 'Required in ASSET mode: the one asset the site reports as'
              : 'Only used in ASSET mode'
          }
          {...form.getInputProps('reportingAssetId')}
          data-testid="conn-reporting-asset"
        />
        <NativeSelect
          label="Measurement configuration"
          description={
            assetMode
              ? 'ASSET mode reports closed windows: INTERMITTENT'
              : 'CONTINUOUS: the site register; INTERMITTENT: each window’s energy'
          }
          {...form.getInputProps('measurementConfiguration')}
          data={MEASUREMENT_CONFIGURATIONS.map((c) => ({ value: c, label: c }))}
          data-testid="conn-measurement-config"
        />
        <NativeSelect
          label="Publication interval"
          {...form.getInputProps('measurementPublicationIntervalSeconds')}
          data={INTERVALS.map((s) => ({ value: String(s), label: `${intervalText(s)} (${s} s)` }))}
          data-testid="conn-interval"
        />
        <NativeSelect
          label="Peak load unit (ASSET)"
          {...form.getInputProps('instantaneousMeasurementUnit')}
          data={INSTANTANEOUS_UNITS.map((u) => ({ value: u, label: u === 'W' ? 'W' : 'kW' }))}
          data-testid="conn-instantaneous-unit"
        />
        <NativeSelect
          label="Alignment"
          {...form.getInputProps('measurementAlignment')}
          data={[
            { value: 'NONE', label: 'None' },
            { value: 'CLOCK_HOUR', label: 'Aligned to the clock hour' },
          ]}
          data-testid="conn-alignment"
        />
        <NumberInput
          label="Heartbeat interval we ask the peer for (s)"
          description="Empty: we ask for no heartbeats"
          {...form.getInputProps('requestedHeartbeatIntervalSeconds')}
          allowDecimal={false}
          allowNegative={false}
          min={1}
          max={86_400}
          data-testid="conn-heartbeat"
        />
        <NativeSelect
          label="Who starts the handshake"
          {...form.getInputProps('handshakeInitiator')}
          data={[
            { value: 'CAPACITY_PROVIDER', label: 'Capacity Provider' },
            { value: 'FLEXIBILITY_PROVIDER', label: 'We may (Flexibility Provider)' },
          ]}
          data-testid="conn-handshake-initiator"
        />
        <Checkbox
          mt="lg"
          label="New handshake required after the peer was offline"
          {...form.getInputProps('rehandshakeAfterOffline', { type: 'checkbox' })}
          data-testid="conn-rehandshake"
        />
      </SimpleGrid>
    </FormSection>
  );
}
