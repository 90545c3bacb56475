import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Role } from './roles';
import { generatePassword, hashPassword, newOpaqueToken, sha256 } from './secrets';
import { insertUser } from './store';

/**
 * A built-in integration (the depot simulator) calls the API like any script: as a user with a
 * role, through a Bearer token. The token is minted at each start and earlier ones are revoked.
 */
export async function provisionServiceToken(
  db: Db,
  clock: Clock,
  username: string,
  role: Role,
): Promise<string> {
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    let user = await trx
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (!user) {
      // Nobody signs in as a service account: its password is random and never shown.
      user = await insertUser(
        trx,
        { username, passwordHash: await hashPassword(generatePassword()), role },
        now,
      );
    }
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    const token = newOpaqueToken('ovt_');
    await trx
      .insertInto('api_tokens')
      .values({
        id: crypto.randomUUID(),
        user_id: user.id,
        name: `${username} (automatic)`,
        token_hash: sha256(token),
        created_at: now,
      })
      .execute();
    return token;
  });
}
