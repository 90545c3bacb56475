import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ApiError, errorDetail } from '../../api/client';
import { bindingHolderOf } from '../../api/oscp';

/** Why a save failed, with the way on: the connection holding the binding, or a reload. */
export function SaveError({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) return null;
  const holder = bindingHolderOf(error);
  const stale =
    error instanceof ApiError &&
    error.status === 409 &&
    typeof error.problem.currentVersion === 'number';
  return (
    <Alert data-testid="form-error" color="red" variant="light" p="xs" role="alert">
      <Stack gap={6} align="flex-start">
        <Text size="sm">{errorDetail(error)}</Text>
        {holder && (
          <Anchor
            component={Link}
            to={`/connections/${holder.id}`}
            size="sm"
            data-testid="conflict-holder"
          >
            Open “{holder.displayName}” (group {holder.groupId})
          </Anchor>
        )}
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
