import type { Db, Executor } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
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

  updateIncident(
    db: Executor,
    id: string,
    change: Parameters<typeof store.updateIncident>[2],
  ): Promise<void> {
    return store.updateIncident(db, id, change);
  }

  resolveIncident(db: Executor, id: string, resolution: string, now: Date): Promise<void> {
    return store.resolveIncident(db, id, resolution, now);
  }
}

/** What operators read and acknowledge. */
export class NotificationQueries {
  constructor(private readonly db: Db) {}

  notifications(filter: Parameters<typeof store.listNotifications>[1]) {
    return store.listNotifications(this.db, filter);
  }

  incidents(filter: Parameters<typeof store.listIncidents>[1]) {
    return store.listIncidents(this.db, filter);
  }

  async acknowledge(id: string, by: string, now: Date): Promise<void> {
    const done = await store.acknowledgeNotification(this.db, id, by, now);
    if (!done) throw appErrors.notFound('Unacknowledged notification', id);
  }
}
