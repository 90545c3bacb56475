import { Alert, Button, Stack, Text } from '@mantine/core';
import { ApiError, errorDetail } from '../../api/client';
import { HolderLink } from '../oscp/connection-confirmations';

/** Why a save failed, with the way on: the connection holding the binding, or a reload. */
export function SaveError({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const stale =
    error instanceof ApiError &&
    error.status === 409 &&
    typeof error.problem.currentVersion === 'number';
  return (
    <Alert data-testid="form-error" color="red" variant="light" p="xs" role="alert">
      <Stack gap={6} align="flex-start">
        <Text size="sm">{errorDetail(error)}</Text>
        <HolderLink error={error} />
        {stale && onReload && (
          <Button
            size="xs"
            variant="white"
            color="red"
            onClick={onReload}
            data-testid="reload-connection"
          >
            Reload the connection (discards your changes)
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
