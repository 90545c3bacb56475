import { createContext, useContext } from 'react';
import type { SessionUser } from '../api/types';

export interface AuthState {
  /** undefined while the session is being checked, null when signed out. */
  user: SessionUser | null | undefined;
  /** Set when the session check itself failed (server unreachable, 5xx). */
  error: unknown;
  /** Why the last session ended: the user signed out, or the server stopped accepting it. */
  endedBy: 'user' | 'server' | null;
  signIn: (username: string, password: string) => Promise<SessionUser>;
  signOut: () => Promise<void>;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth must be used inside <AuthProvider>');
  return auth;
}

/** The signed-in user; only call below <RequireAuth>. */
export function useUser(): SessionUser {
  const { user } = useAuth();
  if (!user) throw new Error('useUser called without a signed-in user');
  return user;
}
