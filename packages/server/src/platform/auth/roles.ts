export const ROLES = ['VIEWER', 'OPERATOR', 'MANAGER', 'SYSTEM_ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who may do what, named once so routes read as intent. */
export const ANY_USER: readonly Role[] = ROLES;
export const OPERATORS: readonly Role[] = ['OPERATOR', 'MANAGER', 'SYSTEM_ADMIN'];
export const MANAGERS: readonly Role[] = ['MANAGER', 'SYSTEM_ADMIN'];
export const ADMINS: readonly Role[] = ['SYSTEM_ADMIN'];

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  username: string;
  role: Role;
  via: 'session' | 'api_token';
}

export type Principal = UserPrincipal;

/** Whether a role is in a group: the one rule the routes and the console both apply. */
export function roleIn(group: readonly Role[], role: Role | undefined): boolean {
  return role !== undefined && group.includes(role);
}
