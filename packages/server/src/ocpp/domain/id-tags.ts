import type { IdTagStatus } from './messages';

/** Who may charge at a depot: anyone (the depot is fenced), or only the listed id tags. */
export type IdTagPolicy = { mode: 'ACCEPT_ALL' } | { mode: 'ALLOW_LIST'; idTags: string[] };

export const DEFAULT_ID_TAG_POLICY: IdTagPolicy = { mode: 'ACCEPT_ALL' };

/** OCPP id tags are compared case-insensitively by most chargers' card readers; so do we. */
export function idTagStatus(policy: IdTagPolicy, idTag: string): IdTagStatus {
  if (policy.mode === 'ACCEPT_ALL') return 'Accepted';
  const wanted = idTag.toUpperCase();
  return policy.idTags.some((t) => t.toUpperCase() === wanted) ? 'Accepted' : 'Invalid';
}
