import { Stack } from '@mantine/core';
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { useConnection } from '../api/oscp';
import { useUser } from '../auth/context';
import { canManage } from '../auth/permissions';
import { ConnectionForm } from '../components/connection-form/ConnectionForm';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, LoadingState } from '../components/States';

/** New connection, or edit one (`/connections/:id/edit`). */
export function ConnectionFormPage() {
  const { id } = useParams();
  const user = useUser();
  const editing = id !== undefined;
  const existing = useConnection(id ?? '', {
    live: false,
    enabled: editing && canManage(user.role),
  });
  // A reload after a version conflict starts the form afresh from the current profile.
  const [generation, setGeneration] = useState(0);

  if (!canManage(user.role)) {
    return (
      <Stack>
        <PageHeader title={editing ? 'Edit OSCP connection' : 'New OSCP connection'} />
        <Empty
          testId="forbidden"
          title="Only managers and system admins configure OSCP connections"
          description="You can read every connection; ask a manager to create or change one."
        />
      </Stack>
    );
  }
  if (editing && existing.isPending) return <LoadingState rows={8} />;
  if (editing && existing.isError && !existing.data)
    return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  return (
    <ConnectionForm
      key={generation}
      existing={editing ? existing.data : undefined}
      reloadError={editing && existing.isError ? existing.error : null}
      onReload={async () => {
        // A failed reload keeps the form (and its edits); the error shows above it.
        const reloaded = await existing.refetch();
        if (reloaded.isSuccess) setGeneration((g) => g + 1);
      }}
    />
  );
}
