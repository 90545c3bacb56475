import type { Executor } from '../../platform/db/database';
import { DEFAULT_ID_TAG_POLICY, type IdTagPolicy } from '../domain/id-tags';

export async function findPolicy(db: Executor, microgridId: string): Promise<IdTagPolicy> {
  const row = await db
    .selectFrom('ocpp_id_tag_policies')
    .select(['mode', 'id_tags'])
    .where('microgrid_id', '=', microgridId)
    .executeTakeFirst();
  if (!row) return DEFAULT_ID_TAG_POLICY;
  return row.mode === 'ALLOW_LIST'
    ? { mode: 'ALLOW_LIST', idTags: row.id_tags }
    : DEFAULT_ID_TAG_POLICY;
}

export async function savePolicy(
  db: Executor,
  microgridId: string,
  policy: IdTagPolicy,
  now: Date,
): Promise<void> {
  const values = {
    microgrid_id: microgridId,
    mode: policy.mode,
    id_tags: policy.mode === 'ALLOW_LIST' ? [...policy.idTags] : [],
    updated_at: now,
  };
  await db
    .insertInto('ocpp_id_tag_policies')
    .values(values)
    .onConflict((oc) =>
      oc.column('microgrid_id').doUpdateSet({
        mode: values.mode,
        id_tags: values.id_tags,
        updated_at: now,
      }),
    )
    .execute();
}
