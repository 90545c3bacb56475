import { ADMINS, MANAGERS, OPERATORS, roleIn } from '@openvelope/server/roles';
import type { Role } from '../api/types';

/** Who may do what: the server's own role groups, so an action offered never fails on click. */
export const ROLE_LABEL: Record<Role, string> = {
  VIEWER: 'Viewer',
  OPERATOR: 'Operator',
  MANAGER: 'Manager',
  SYSTEM_ADMIN: 'System admin',
};

export const canOperate = (role: Role | undefined) => roleIn(OPERATORS, role);
export const canManage = (role: Role | undefined) => roleIn(MANAGERS, role);
export const isAdmin = (role: Role | undefined) => roleIn(ADMINS, role);

const roleList = (group: readonly Role[]) => group.map((r) => ROLE_LABEL[r]).join(', ');
export const NEEDS_OPERATOR = `Requires one of the roles ${roleList(OPERATORS)}`;
export const NEEDS_MANAGER = `Requires one of the roles ${roleList(MANAGERS)}`;
