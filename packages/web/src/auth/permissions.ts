import type { Role } from '../api/types';

/** Who may do what in the console; mirrors the server's route rules so actions never fail on click. */
export const ROLE_LABEL: Record<Role, string> = {
  VIEWER: 'Viewer',
  OPERATOR: 'Operator',
  MANAGER: 'Manager',
  SYSTEM_ADMIN: 'System admin',
};

const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, MANAGER: 2, SYSTEM_ADMIN: 3 };

export const canOperate = (role: Role | undefined) => role !== undefined && RANK[role] >= 1;
export const canManage = (role: Role | undefined) => role !== undefined && RANK[role] >= 2;
export const isAdmin = (role: Role | undefined) => role === 'SYSTEM_ADMIN';

export const NEEDS_OPERATOR = 'Requires the Operator role or higher';
export const NEEDS_MANAGER = 'Requires the Manager or System admin role';
