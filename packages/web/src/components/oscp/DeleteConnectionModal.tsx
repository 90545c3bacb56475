import { List } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { oscpApi, oscpKeys } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';
import { ConfirmModal } from '../ConfirmModal';

/** Delete a disabled connection, saying what goes and what stays; then back to the list. */
export function DeleteConnectionModal({
  c,
  onClose,
}: {
  c: ConnectionDetail;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => oscpApi.remove(c.id),
    onSuccess: async () => {
      notifications.show({
        color: 'teal',
        title: 'Connection deleted',
        message: `${c.displayName} is deleted; its record stays readable.`,
      });
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      navigate('/connections');
    },
  });
  return (
    <ConfirmModal
      opened
      title={`Delete ${c.displayName}?`}
      confirmLabel="Delete connection"
      confirmTestId="confirm-delete"
      loading={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate()}
      onClose={onClose}
    >
      <List size="sm" spacing={4} data-testid="delete-consequences">
        <List.Item>
          “{c.displayName}” (group {c.groupId}) can no longer be enabled or edited; its group id and
          scope are free for another connection.
        </List.Item>
        <List.Item>
          Its audit stays readable: configuration history, timeline, publications and refused calls.
          The connections list shows it under “Show deleted”.
        </List.Item>
      </List>
    </ConfirmModal>
  );
}
