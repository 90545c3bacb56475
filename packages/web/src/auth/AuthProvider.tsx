import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { authKeys, fetchMe, login, logout } from '../api/auth';
import { setUnauthorizedHandler } from '../api/client';
import type { SessionUser } from '../api/types';
import { AuthContext, type AuthState } from './context';

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: authKeys.me,
    queryFn: fetchMe,
    staleTime: Infinity,
    retry: 1,
  });

  const [endedBy, setEndedBy] = useState<AuthState['endedBy']>(null);

  useEffect(() => {
    // A 401 anywhere means the session is gone: forget the user, the route guard sends them to sign-in.
    setUnauthorizedHandler(() => {
      if (queryClient.getQueryData(authKeys.me)) setEndedBy('server');
      queryClient.setQueryData<SessionUser | null>(authKeys.me, null);
    });
    return () => setUnauthorizedHandler(undefined);
  }, [queryClient]);

  /** Drop every cached answer except the session itself (no data outlives its user). */
  const forgetData = useCallback(
    () =>
      queryClient.removeQueries({
        predicate: (q) => !(q.queryKey[0] === authKeys.me[0] && q.queryKey[1] === authKeys.me[1]),
      }),
    [queryClient],
  );

  const signIn = useCallback(
    async (username: string, password: string) => {
      const user = await login(username, password);
      setEndedBy(null);
      forgetData();
      queryClient.setQueryData(authKeys.me, user);
      return user;
    },
    [queryClient, forgetData],
  );

  const signOut = useCallback(async () => {
    try {
      await logout();
    } finally {
      // Signed out first (the route guard unmounts every page), then the data goes. Clearing the
      // whole cache instead would orphan the live session query and leave the UI signed in.
      await queryClient.cancelQueries();
      setEndedBy('user');
      queryClient.setQueryData<SessionUser | null>(authKeys.me, null);
      forgetData();
    }
  }, [queryClient, forgetData]);

  const value = useMemo<AuthState>(
    () => ({
      user: me.data,
      error: me.data === undefined ? me.error : null,
      endedBy,
      signIn,
      signOut,
    }),
    [me.data, me.error, endedBy, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
