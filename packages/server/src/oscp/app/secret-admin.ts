import type { Db } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import type { SecretStore } from '../../platform/secrets/secret-store';

/**
 * What operators do with the secrets connection profiles refer to by name: values are
 * write-only; reading shows names and when they were set, never a value.
 */
export class SecretAdmin {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretStore,
  ) {}

  async list() {
    return (await this.secrets.list(this.db)).map((s) => ({
      name: s.name,
      set: true,
      updatedAt: s.updatedAt.toISOString(),
      updatedBy: s.updatedBy,
    }));
  }

  put(name: string, value: string, by: string, now: Date): Promise<void> {
    return this.secrets.put(this.db, name, value, by, now);
  }

  async remove(name: string): Promise<void> {
    if (!(await this.secrets.remove(this.db, name))) throw appErrors.notFound('Secret', name);
  }
}
