import { Checkbox, NativeSelect, Stack } from '@mantine/core';
import { ACKNOWLEDGEMENT_PATHS } from '@openvelope/server/oscp-profile';
import { FormSection, type ConnectionForm } from './FormSection';
import { INTEROPERABILITY_EXPLAINED } from './interoperability-wording';

/** Tolerances for Capacity Providers that depart from OSCP 2.0; every one off by default. */
export function InteroperabilitySection({ form }: { form: ConnectionForm }) {
  const expectsHeartbeats = form.values.interoperability.expectPeerHeartbeats;
  return (
    <FormSection
      title="Interoperability"
      testId="interoperability-section"
      description="Tolerances for peers that depart from OSCP 2.0. Leave them off for a standard peer: each lets through something the protocol refuses."
    >
      <Stack gap="sm">
        <Checkbox
          label="Accept a relative base URL"
          description={INTEROPERABILITY_EXPLAINED.acceptRelativeBaseUrl}
          {...form.getInputProps('interoperability.acceptRelativeBaseUrl', { type: 'checkbox' })}
          data-testid="conn-accept-relative-base-url"
        />
        <Checkbox
          label="Assume UTC for times without an offset"
          description={INTEROPERABILITY_EXPLAINED.assumeUtcWithoutOffset}
          {...form.getInputProps('interoperability.assumeUtcWithoutOffset', { type: 'checkbox' })}
          data-testid="conn-assume-utc"
        />
        <Checkbox
          label="The peer sends no heartbeats"
          description={INTEROPERABILITY_EXPLAINED.noPeerHeartbeats}
          checked={!expectsHeartbeats}
          onChange={(e) =>
            form.setFieldValue('interoperability.expectPeerHeartbeats', !e.currentTarget.checked)
          }
          data-testid="conn-no-peer-heartbeats"
        />
        <NativeSelect
          label="Handshake acknowledgement path"
          description={INTEROPERABILITY_EXPLAINED.acknowledgementPath}
          {...form.getInputProps('interoperability.acknowledgementPath')}
          data={ACKNOWLEDGEMENT_PATHS.map((path) => ({
            value: path,
            label: path === 'handshake_acknowledge' ? `${path} (OSCP 2.0)` : path,
          }))}
          maw={360}
          data-testid="conn-acknowledgement-path"
        />
      </Stack>
    </FormSection>
  );
}
