import { Button, Center, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { authKeys } from '../api/auth';
import { ErrorState, LoadingState } from '../components/States';
import { useAuth } from './context';

/** Route guard: children render only with a signed-in user; otherwise the sign-in page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, error, endedBy } = useAuth();
  const location = useLocation();
  const queryClient = useQueryClient();
  if (user === undefined && error) {
    return (
      <Center h="100vh">
        <Stack w={420}>
          <ErrorState error={error} title="Cannot check your session" />
          <Button
            variant="light"
            onClick={() => void queryClient.invalidateQueries({ queryKey: authKeys.me })}
          >
            Try again
          </Button>
        </Stack>
      </Center>
    );
  }
  if (user === undefined) {
    return (
      <Center h="100vh">
        <LoadingState label="Checking your session…" />
      </Center>
    );
  }
  if (user === null) {
    // After an expired session, come back here once signed in; after signing out, start afresh.
    const next = `${location.pathname}${location.search}`;
    const to =
      endedBy === 'user' || next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
    return <Navigate to={to} replace />;
  }
  return children;
}
