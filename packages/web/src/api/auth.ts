import { ApiError, del, get, post, patch } from './client';
import type {
  ApiTokenView,
  CreatedApiToken,
  CreateUserBody,
  SessionUser,
  UpdatedUser,
  UpdateUserBody,
  UserView,
} from './types';

export const authKeys = {
  me: ['auth', 'me'] as const,
  tokens: ['auth', 'tokens'] as const,
  users: ['users'] as const,
};

/** The signed-in user, or null when there is no valid session. */
export async function fetchMe(): Promise<SessionUser | null> {
  try {
    const { user } = await get<{ user: SessionUser }>('/api/auth/me');
    return user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function login(username: string, password: string): Promise<SessionUser> {
  const { user } = await post<{ user: SessionUser }>('/api/auth/login', { username, password });
  return user;
}

export const logout = () => post<void>('/api/auth/logout');

export const listTokens = async () =>
  (await get<{ tokens: ApiTokenView[] }>('/api/auth/tokens')).tokens;
export const createToken = (name: string) => post<CreatedApiToken>('/api/auth/tokens', { name });
export const revokeToken = (id: string) => del(`/api/auth/tokens/${id}`);

export const listUsers = async () => (await get<{ users: UserView[] }>('/api/users')).users;
export const createUser = (body: CreateUserBody) => post<UserView>('/api/users', body);
export const updateUser = (id: string, body: UpdateUserBody) =>
  patch<UpdatedUser>(`/api/users/${id}`, body);
export const deleteUser = (id: string) => del(`/api/users/${id}`);
