import { TextInput } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { createMicrogrid, updateMicrogrid } from '../../api/microgrid';
import type { MicrogridSummary } from '../../api/types';
import { errorFor, fieldErrorsOf, mergeErrors, type FieldErrors } from '../../forms';
import { FormModal } from '../FormModal';
import { useModelMutation } from './useModelMutation';

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState('');
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useModelMutation(
    (body: { name: string; timezone: string }) =>
      microgrid ? updateMicrogrid(microgrid.id, body) : createMicrogrid(body),
    (body) => (microgrid ? `Microgrid ${body.name} updated.` : `Microgrid ${body.name} created.`),
    onClose,
  );
  const { reset } = save;

  useEffect(() => {
    if (!opened) return;
    setName(microgrid?.name ?? '');
    setTimezone(microgrid?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
    setClientErrors({});
    reset();
  }, [opened, microgrid, reset]);

  const errors = mergeErrors(clientErrors, fieldErrorsOf(save.error));
  const onSubmit = () => {
    const found: FieldErrors = {};
    if (!name.trim()) found.name = 'is required';
    if (!isTimeZone(timezone.trim()))
      found.timezone = 'must be an IANA time zone such as Pacific/Auckland';
    setClientErrors(found);
    if (Object.keys(found).length === 0)
      save.mutate({ name: name.trim(), timezone: timezone.trim() });
  };

  return (
    <FormModal
      opened={opened}
      title={microgrid ? `Edit microgrid ${microgrid.name}` : 'New microgrid'}
      onClose={onClose}
      onSubmit={onSubmit}
      loading={save.isPending}
      error={save.error}
      submitLabel={microgrid ? 'Save' : 'Create microgrid'}
      submitTestId="microgrid-save"
    >
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errorFor(errors, 'name')}
        data-testid="microgrid-name"
        data-autofocus
        maxLength={100}
        required
      />
      <TextInput
        label="Time zone"
        description="IANA zone such as Pacific/Auckland; this microgrid's times are shown in it"
        list="ov-time-zones"
        value={timezone}
        onChange={(e) => setTimezone(e.currentTarget.value)}
        error={errorFor(errors, 'timezone')}
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
    </FormModal>
  );
}
