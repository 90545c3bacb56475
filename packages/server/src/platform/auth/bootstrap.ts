import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { generatePassword, hashPassword } from './secrets';
import { insertUser } from './store';

/**
 * Creates the `admin` user on the first start. The password is ADMIN_PASSWORD or a generated one
 * that is returned (to be printed once) and stored only as a hash.
 */
export async function ensureAdmin(
  db: Db,
  clock: Clock,
  adminPassword: string | undefined,
): Promise<{ created: boolean; generatedPassword?: string }> {
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('username', '=', 'admin')
    .executeTakeFirst();
  if (existing) return { created: false };
  const password = adminPassword ?? generatePassword();
  try {
    await insertUser(
      db,
      { username: 'admin', passwordHash: await hashPassword(password), role: 'SYSTEM_ADMIN' },
      clock.now(),
    );
  } catch (error) {
    // Another instance starting on the same empty database created it first.
    if ((error as { code?: string }).code === '23505') return { created: false };
    throw error;
  }
  return adminPassword ? { created: true } : { created: true, generatedPassword: password };
}
