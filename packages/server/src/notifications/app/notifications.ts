import type { Executor } from '../../platform/db/database';
import * as store from '../store/notification-store';

/**
 * Notifications tell operators something happened; incidents track a condition from when it
 * started until it ended. Other contexts raise them inside their own transactions, so a fallback
 * entry and its incident commit together.
 */
export class NotificationService {
  raise(
    db: Executor,
    n: Parameters<typeof store.insertNotification>[1],
    now: Date,
  ): Promise<string> {
    return store.insertNotification(db, n, now);
  }

  openIncident(
    db: Executor,
    i: Parameters<typeof store.openIncident>[1],
    now: Date,
  ): Promise<string> {
    return store.openIncident(db, i, now);
  }

  resolveIncident(db: Executor, id: string, resolution: string, now: Date): Promise<void> {
    return store.resolveIncident(db, id, resolution, now);
  }
}
