import { Button, Stack } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useMicrogrids } from '../api/queries';
import { useUser } from '../auth/context';
import { canManage } from '../auth/permissions';
import { MicrogridCard } from '../components/MicrogridCard';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, LoadingState, RefreshError } from '../components/States';

export function DepotPage() {
  const user = useUser();
  const microgrids = useMicrogrids();

  return (
    <Stack gap="md">
      <PageHeader
        title="Depot"
        subtitle="Effective capacity of every circuit and what sets it. Refreshed every 2 s."
      />
      {microgrids.isPending ? (
        <LoadingState rows={6} label="Loading microgrids…" />
      ) : microgrids.isError && !microgrids.data ? (
        <ErrorState
          error={microgrids.error}
          title="Could not load the microgrids"
          onRetry={() => void microgrids.refetch()}
        />
      ) : microgrids.data.microgrids.length === 0 ? (
        <Empty
          testId="empty-microgrids"
          title="No microgrids yet"
          description={
            canManage(user.role)
              ? 'Create a microgrid, its circuits and chargers in Depot model.'
              : 'A manager creates microgrids, circuits and chargers in Depot model.'
          }
          action={
            canManage(user.role) ? (
              <Button component={Link} to="/model" size="xs" variant="light">
                Open Depot model
              </Button>
            ) : undefined
          }
        />
      ) : (
        <Stack gap="md">
          {microgrids.isError && <RefreshError error={microgrids.error} />}
          {microgrids.data.microgrids.map((m) => (
            <MicrogridCard key={m.id} microgrid={m} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
