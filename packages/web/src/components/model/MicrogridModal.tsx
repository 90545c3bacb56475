import { TextInput } from '@mantine/core';
import { createMicrogridBody } from '@openvelope/server/contract';
import { useMemo } from 'react';
import { createMicrogrid, updateMicrogrid } from '../../api/microgrid';
import type { MicrogridSummary } from '../../api/types';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { FormModal, ModalForm } from '../FormModal';
import { useModelMutation } from './useModelMutation';

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';

/** Create a microgrid (editing = the `microgrid` prop is set). */
export function MicrogridModal({
  opened,
  microgrid,
  onClose,
}: {
  opened: boolean;
  microgrid: MicrogridSummary | null;
  onClose: () => void;
}) {
  return (
    <FormModal
      opened={opened}
      title={microgrid ? `Edit microgrid ${microgrid.name}` : 'New microgrid'}
      onClose={onClose}
    >
      <MicrogridForm microgrid={microgrid} onClose={onClose} />
    </FormModal>
  );
}

export function MicrogridForm({
  microgrid,
  onClose,
}: {
  microgrid: MicrogridSummary | null;
  onClose: () => void;
}) {
  const zones = useMemo(timeZones, []);
  const form = useSchemaForm({
    initialValues: { name: microgrid?.name ?? '', timezone: microgrid?.timezone ?? browserZone() },
    // An edit sends both fields, so the create rules are the edit's too.
    schema: createMicrogridBody,
    toRequest: (v) => ({ name: v.name.trim(), timezone: v.timezone.trim() }),
  });
  const save = useModelMutation(
    (body: { name: string; timezone: string }) =>
      microgrid ? updateMicrogrid(microgrid.id, body) : createMicrogrid(body),
    (body) => (microgrid ? `Microgrid ${body.name} updated.` : `Microgrid ${body.name} created.`),
    onClose,
  );

  return (
    <ModalForm
      onSubmit={submitTo(form, save.mutate)}
      onCancel={onClose}
      pending={save.isPending}
      error={save.error}
      submitLabel={microgrid ? 'Save' : 'Create microgrid'}
      submitTestId="microgrid-save"
    >
      <TextInput
        label="Name"
        {...form.getInputProps('name')}
        data-testid="microgrid-name"
        data-autofocus
        maxLength={100}
        required
      />
      <TextInput
        label="Time zone"
        description="IANA zone such as Pacific/Auckland; this microgrid's times are shown in it"
        list="ov-time-zones"
        {...form.getInputProps('timezone')}
        data-testid="microgrid-timezone"
        autoComplete="off"
        spellCheck={false}
        required
      />
      <datalist id="ov-time-zones">
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
    </ModalForm>
  );
}
