import type { Db } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import { findWork } from '../../platform/scheduler/scheduler';
import type { MeasurementList, MeasurementView } from '../contract';
import * as projection from '../store/connection-projection';
import * as history from '../store/measurement-history';
import { MEASUREMENT_WORK } from './measurements';

/** At most this many windows in one CSV export: an export is one answer, built in memory. */
export const CSV_EXPORT_LIMIT = 100_000;

export interface TimeRange {
  from?: string | undefined;
  to?: string | undefined;
}

function view(row: history.MeasurementRow): MeasurementView {
  return {
    id: row.id,
    kind: row.kind,
    configuration: row.configuration as MeasurementView['configuration'],
    windowStart: row.windowStart.toISOString(),
    windowEnd: row.windowEnd.toISOString(),
    energyWh: row.energyWh,
    registerWh: row.registerWh,
    maxLoadW: row.maxLoadW,
    maxLoadAt: row.maxLoadAt?.toISOString() ?? null,
    readings: row.readings,
    requestId: row.requestId,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    delivery: row.delivery && {
      status: row.delivery.status as NonNullable<MeasurementView['delivery']>['status'],
      attempts: row.delivery.attempts,
      maxAttempts: row.delivery.maxAttempts,
      lastError: row.delivery.lastError,
      lastHttpStatus: row.delivery.lastHttpStatus,
      deliveredAt: row.delivery.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: row.delivery.nextAttemptAt.toISOString(),
    },
  };
}

const CSV_COLUMNS = [
  'window_start',
  'window_end',
  'kind',
  'configuration',
  'energy_wh',
  'register_wh',
  'max_load_w',
  'max_load_at',
  'readings',
  'request_id',
  'delivery_status',
  'attempts',
  'delivered_at',
  'last_http_status',
  'last_error',
  'message',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function measurementsCsv(rows: readonly MeasurementView[]): string {
  const lines = rows.map((m) =>
    [
      m.windowStart,
      m.windowEnd,
      m.kind,
      m.configuration,
      m.energyWh,
      m.registerWh,
      m.maxLoadW,
      m.maxLoadAt,
      m.readings,
      m.requestId,
      m.delivery?.status ?? 'PRUNED',
      m.delivery?.attempts ?? null,
      m.delivery?.deliveredAt ?? null,
      m.delivery?.lastHttpStatus ?? null,
      m.delivery?.lastError ?? null,
      JSON.stringify(m.body),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

/** What a connection published: its measurement windows, values, messages and deliveries. */
export class MeasurementHistory {
  constructor(private readonly db: Db) {}

  async #connection(id: string) {
    const row = await projection.findConnection(this.db, id);
    if (!row) throw appErrors.notFound('OSCP connection', id);
    return row;
  }

  #range(id: string, range: TimeRange): history.MeasurementRange {
    return {
      connectionId: id,
      from: range.from ? new Date(range.from) : undefined,
      to: range.to ? new Date(range.to) : undefined,
    };
  }

  /** Windows in the range, newest first, a page at a time; with the cadence and the latest one. */
  async list(
    id: string,
    query: TimeRange & { limit: number; offset: number },
  ): Promise<MeasurementList> {
    const connection = await this.#connection(id);
    const range = this.#range(id, query);
    const [items, total, latest, booked] = await Promise.all([
      history.listMeasurements(this.db, range, { ...query, order: 'desc' }),
      history.countMeasurements(this.db, range),
      history.listMeasurements(
        this.db,
        { connectionId: id },
        { limit: 1, offset: 0, order: 'desc' },
      ),
      findWork(this.db, MEASUREMENT_WORK, id),
    ]);
    const { profile } = connection;
    const nextEnd = booked?.payload.windowEnd ?? booked?.payload.periodEnd;
    return {
      cadence: {
        mode: profile.measurementPublicationMode,
        configuration: profile.measurementConfiguration,
        intervalSeconds: profile.measurementPublicationIntervalSeconds,
        alignment: profile.measurementAlignment,
        instantaneousUnit: profile.instantaneousMeasurementUnit,
        reportingAssetId: profile.reportingAssetId,
        nextWindowEnd: typeof nextEnd === 'string' ? nextEnd : null,
      },
      latest: latest[0] ? view(latest[0]) : null,
      items: items.map(view),
      total,
    };
  }

  /** The windows of a range, oldest first, as CSV (one line per window, the message included). */
  async csv(id: string, query: TimeRange): Promise<string> {
    await this.#connection(id);
    const range = this.#range(id, query);
    const total = await history.countMeasurements(this.db, range);
    if (total > CSV_EXPORT_LIMIT) {
      const message = `the range holds ${total} windows; one export takes at most ${CSV_EXPORT_LIMIT}: narrow from and to`;
      throw appErrors.invalid(`from: ${message}`, [{ field: 'from', message }]);
    }
    const rows = await history.listMeasurements(this.db, range, {
      limit: CSV_EXPORT_LIMIT,
      offset: 0,
      order: 'asc',
    });
    return measurementsCsv(rows.map(view));
  }
}
