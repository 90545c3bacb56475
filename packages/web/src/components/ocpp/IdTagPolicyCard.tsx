import { Group, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ocppApi, ocppKeys, type IdTagPolicyView } from '../../api/ocpp';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { PermittedButton } from '../PermittedButton';
import { FormError } from '../States';

/** Who may charge at this depot over OCPP: every id tag, or an allow-list. */
export function IdTagPolicyCard({
  microgridId,
  mayManage,
}: {
  microgridId: string;
  mayManage: boolean;
}) {
  const queryClient = useQueryClient();
  const policy = useQuery({
    queryKey: ocppKeys.idTags(microgridId),
    queryFn: ({ signal }) => ocppApi.idTags(microgridId, signal),
  });
  const [mode, setMode] = useState<IdTagPolicyView['mode'] | null>(null);
  const [tags, setTags] = useState<string | null>(null);
  const shownMode = mode ?? policy.data?.mode ?? 'ACCEPT_ALL';
  const shownTags =
    tags ?? (policy.data?.mode === 'ALLOW_LIST' ? policy.data.idTags.join('\n') : '');
  const save = useMutation({
    mutationFn: () =>
      ocppApi.setIdTags(
        microgridId,
        shownMode === 'ACCEPT_ALL'
          ? { mode: 'ACCEPT_ALL' }
          : { mode: 'ALLOW_LIST', idTags: shownTags.split(/[\s,]+/).filter(Boolean) },
      ),
    onSuccess: async () => {
      setMode(null);
      setTags(null);
      await queryClient.invalidateQueries({ queryKey: ocppKeys.idTags(microgridId) });
    },
  });
  return (
    <Stack gap="xs" data-testid="ocpp-id-tags">
      <Text size="xs" tt="uppercase" c="dimmed" fw={600}>
        OCPP id tags
      </Text>
      <Group gap="sm" align="flex-end">
        <SegmentedControl
          size="xs"
          value={shownMode}
          onChange={(v) => setMode(v as IdTagPolicyView['mode'])}
          disabled={!mayManage || policy.isPending}
          data={[
            { value: 'ACCEPT_ALL', label: 'Accept every id tag' },
            { value: 'ALLOW_LIST', label: 'Only listed id tags' },
          ]}
          data-testid="ocpp-id-tag-mode"
        />
        <PermittedButton
          allowed={mayManage}
          reason={NEEDS_MANAGER}
          size="compact-xs"
          variant="light"
          loading={save.isPending}
          disabled={mode === null && tags === null}
          onClick={() => save.mutate()}
          data-testid="ocpp-id-tags-save"
        >
          Save
        </PermittedButton>
      </Group>
      {shownMode === 'ALLOW_LIST' && (
        <Textarea
          size="xs"
          autosize
          minRows={2}
          placeholder="One id tag per line (at most 20 characters each)"
          value={shownTags}
          onChange={(e) => setTags(e.currentTarget.value)}
          disabled={!mayManage}
          data-testid="ocpp-id-tag-list"
        />
      )}
      <FormError error={save.error} />
    </Stack>
  );
}
