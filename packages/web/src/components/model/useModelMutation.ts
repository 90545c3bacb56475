import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { depotKeys } from '../../api/microgrid';

/** A depot-model change: on success, toast and refresh every depot view. */
export function useModelMutation<TVars, TResult = unknown>(
  mutationFn: (vars: TVars) => Promise<TResult>,
  success: (vars: TVars) => string,
  onDone?: () => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async (_result, vars) => {
      notifications.show({ color: 'teal', title: 'Saved', message: success(vars) });
      onDone?.();
      await queryClient.invalidateQueries({ queryKey: depotKeys.all });
    },
  });
}
