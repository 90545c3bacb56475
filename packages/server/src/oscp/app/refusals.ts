import type { Db } from '../../platform/db/database';
import * as refusals from '../store/refusals';

/** The refused inbound OSCP calls, for operators: what was refused, why, and from where. */
export class RefusalQueries {
  constructor(private readonly db: Db) {}

  list(filter: { connectionId?: string; source?: string; beforeId?: number; limit: number }) {
    return refusals.listRefusals(this.db, filter);
  }
}
