import { z } from 'zod';
import { wireInstant } from '../http/wire';
import { ROLES } from './roles';

/** Request and response shapes of sign-in, personal API tokens and user management. */

const role = z.enum(ROLES);
export const idParams = z.object({ id: z.uuid('must be a UUID') });

export const sessionUser = z.object({ id: z.string(), username: z.string(), role });
export const sessionAnswer = z.object({ user: sessionUser });

export const userView = sessionUser.extend({ disabled: z.boolean(), createdAt: wireInstant });
export const userList = z.object({ users: z.array(userView) });
/** A changed user; after a new password, how many of their other credentials stopped working. */
export const updatedUser = userView.extend({
  revoked: z.object({ sessions: z.number(), apiTokens: z.number() }).optional(),
});

export const apiTokenView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: wireInstant,
  lastUsedAt: wireInstant.nullable(),
  revokedAt: wireInstant.nullable(),
});
export const apiTokenList = z.object({ tokens: z.array(apiTokenView) });
/** The token's secret is in this answer only: it is stored as a hash. */
export const createdApiToken = apiTokenView.extend({ token: z.string() });

// Requests

// Longer than any account could have: refused before a lookup or a hash is spent on it.
export const loginBody = z.object({
  username: z.string().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(200),
});

export const createTokenBody = z.object({ name: z.string().trim().min(1, 'is required').max(100) });

const username = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, 'may contain letters, digits, dot, dash and underscore only');
const password = z.string().min(8, 'must be at least 8 characters').max(200);

export const createUserBody = z.object({ username, password, role });
export const updateUserBody = z.object({
  role: role.optional(),
  password: password.optional(),
  disabled: z.boolean().optional(),
});
