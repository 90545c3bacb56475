import { Alert, Button, Checkbox, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { oscpApi, oscpKeys, usePresets } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { PageHeader } from '../PageHeader';
import { RefreshError } from '../States';
import { AuthSection } from './AuthSection';
import { BehaviourSection } from './BehaviourSection';
import { BindingSection } from './BindingSection';
import {
  connectionRequest,
  fromProfile,
  profileRules,
  toConnectionRequest,
  type ConnectionRequest,
  type Preset,
} from './connection-values';
import { GapPolicySection } from './GapPolicySection';
import { InteroperabilitySection } from './InteroperabilitySection';
import { PresetSection } from './PresetSection';
import { SaveError } from './SaveError';

/** Create a connection, or edit `existing` (an edit must match the version it was loaded from). */
export function ConnectionForm({
  existing,
  reloadError,
  onReload,
}: {
  existing: ConnectionDetail | undefined;
  /** Why the last refresh of the stored connection failed; the form keeps what it has. */
  reloadError: unknown;
  onReload: () => Promise<void>;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const presets = usePresets();
  // The version the form was loaded from: what an edit must still match when it is saved.
  const [loadedVersion] = useState(existing?.configurationVersion);
  const form = useSchemaForm({
    initialValues: fromProfile(existing ? existing.profile : { preset: 'OSCP_STANDARD' }),
    schema: connectionRequest,
    toRequest: toConnectionRequest,
    rules: profileRules,
  });

  /** A preset fills every protocol field with its defaults; the user's peer fields stay. */
  const { setValues, getValues } = form;
  const defaultsOf = (preset: Preset) =>
    presets.data?.presets.find((p) => p.id === preset)?.defaults ?? {};
  const applyPreset = (preset: Preset) =>
    setValues(fromProfile({ ...defaultsOf(preset), preset }, getValues()));

  // A new connection starts from the selected preset's defaults as soon as they arrive.
  const defaultsApplied = useRef(existing !== undefined);
  useEffect(() => {
    if (defaultsApplied.current || !presets.data) return;
    defaultsApplied.current = true;
    const list = presets.data.presets;
    const current = getValues();
    const defaults = list.find((p) => p.id === current.preset)?.defaults ?? {};
    setValues(fromProfile({ ...defaults, preset: current.preset }, current));
  }, [presets.data, setValues, getValues]);

  const save = useMutation({
    mutationFn: ({ enabled, ...profile }: ConnectionRequest) =>
      existing
        ? oscpApi.edit(existing.id, { ...profile, expectedVersion: loadedVersion })
        : oscpApi.create({ ...profile, enabled }),
    onSuccess: async (detail) => {
      notifications.show({
        color: 'teal',
        title: existing ? 'Connection saved' : 'Connection created',
        message: existing
          ? `${detail.displayName} is at configuration version ${detail.configurationVersion}.`
          : `${detail.displayName} is ${detail.enabled ? 'enabled' : 'configured; enable it when the peer is ready'}.`,
      });
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      navigate(`/connections/${detail.id}`);
    },
  });
  const invalid = Object.keys(form.errors).length > 0;

  return (
    <form noValidate onSubmit={submitTo(form, save.mutate)}>
      <PageHeader
        title={existing ? `Edit ${existing.displayName}` : 'New OSCP connection'}
        subtitle={
          existing
            ? `Configuration version ${loadedVersion} · changes are recorded in the configuration history`
            : "Binds a Capacity Provider's group id to one managed scope, with everything needed to talk to it."
        }
      />
      <Stack gap="md" maw={960}>
        {reloadError ? (
          <RefreshError error={reloadError} label="Could not refresh the connection" />
        ) : null}
        <PresetSection form={form} editing={existing !== undefined} onPreset={applyPreset} />
        <BindingSection form={form} />
        <AuthSection form={form} />
        <BehaviourSection form={form} />
        <GapPolicySection form={form} />
        <InteroperabilitySection form={form} />
        {!existing && (
          <Checkbox
            label="Enable when saved (a token-exchange connection then sends its Register to the peer at once)"
            {...form.getInputProps('enabled', { type: 'checkbox' })}
            data-testid="conn-enabled"
          />
        )}
        <SaveError error={save.error} onReload={existing ? () => void onReload() : undefined} />
        {invalid && !save.error && (
          <Alert color="red" variant="light" p="xs" role="alert" data-testid="form-error">
            <Text size="sm">Correct the fields marked above.</Text>
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} data-testid="conn-save">
            {existing ? 'Save changes' : 'Save connection'}
          </Button>
          <Button
            variant="default"
            onClick={() => navigate(existing ? `/connections/${existing.id}` : '/connections')}
            data-testid="conn-cancel"
          >
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
