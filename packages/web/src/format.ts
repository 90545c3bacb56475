/** Number and time formatting, one place so every screen says the same thing the same way. */

const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1, useGrouping: false });
const twoDecimals = new Intl.NumberFormat('en-GB', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const wholeNumber = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** Amps with at most one decimal, trailing zero trimmed: `26.6 A`, `160 A`. */
export function formatAmps(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = oneDecimal.format(value);
  return `${text === '-0' ? '0' : text} A`;
}

export function formatKwh(wh: number | null | undefined): string {
  if (wh === null || wh === undefined || !Number.isFinite(wh)) return '—';
  return `${twoDecimals.format(wh / 1000)} kWh`;
}

export function formatKw(watts: number | null | undefined): string {
  if (watts === null || watts === undefined || !Number.isFinite(watts)) return '—';
  return `${oneDecimal.format(watts / 1000)} kW`;
}

export function formatVolts(value: number): string {
  return `${wholeNumber.format(value)} V`;
}

export function formatLimit(limit: { value: number; unit: 'A' | 'KW' | 'KW_PER_PHASE' }): string {
  if (limit.unit === 'A') return formatAmps(limit.value);
  return `${oneDecimal.format(limit.value)} kW${limit.unit === 'KW_PER_PHASE' ? ' per phase' : ''}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

function safeZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

type Instant = string | number | Date | null | undefined;

/** An instant in a zone with the given fields (and the zone's name); `—` when there is none. */
function formatInstant(
  value: Instant,
  timeZone: string | undefined,
  fields: Pick<Intl.DateTimeFormatOptions, 'day' | 'month' | 'year' | 'second'>,
): string {
  if (value === null || value === undefined) return '—';
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return '—';
  const zone = safeZone(timeZone);
  return formatter(
    `${JSON.stringify(fields)}|${zone ?? ''}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        ...fields,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      }),
  ).format(d);
}

const DATE = { day: 'numeric', month: 'short', year: 'numeric' } as const;

/** `27 Nov 2025, 14:05 GMT+13`: a date and time in the given zone, the zone shown. */
export function formatDateTime(value: Instant, timeZone?: string) {
  return formatInstant(value, timeZone, DATE);
}

/** `27 Nov 2025, 14:05:07 GMT+13`: like formatDateTime, to the second (protocol events, heartbeats). */
export function formatDateTimeSeconds(value: Instant, timeZone?: string) {
  return formatInstant(value, timeZone, { ...DATE, second: '2-digit' });
}

/** `14:05:07 GMT+13`: a time of day in the given zone, the zone shown. */
export function formatTime(value: Instant, timeZone?: string) {
  return formatInstant(value, timeZone, { second: '2-digit' });
}

/** `14:05:07 GMT+13` for an instant today in the zone, `26 Nov 2025, 14:05:07 GMT+13` otherwise. */
export function formatRecentTime(value: Instant, timeZone: string, now: number = Date.now()) {
  if (value === null || value === undefined) return '—';
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return '—';
  const day = (epochMs: number) => toZonedInputValue(epochMs, timeZone).slice(0, 10);
  return day(d.getTime()) === day(now)
    ? formatTime(d, timeZone)
    : formatDateTimeSeconds(d, timeZone);
}

/** `27 Nov 14:05` (no zone): compact labels for chart axes, which span more than one day. */
export function formatAxisTime(value: number, timeZone: string): string {
  const zone = safeZone(timeZone);
  return formatter(
    `axis|${zone ?? ''}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
  ).format(new Date(value));
}

/** The zone's short name at an instant, e.g. `GMT+13`. */
export function zoneName(timeZone: string, at: Date = new Date()): string {
  const zone = safeZone(timeZone);
  const parts = formatter(
    `zone|${zone ?? ''}`,
    () => new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' }),
  ).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
function zoneOffsetMs(timeZone: string, epochMs: number): number {
  const parts = formatter(
    `parts|${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }),
  ).formatToParts(new Date(epochMs));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the `YYYY-MM-DDTHH:mm` wall time of a zone (the value of a datetime-local input). */
export function toZonedInputValue(epochMs: number, timeZone: string): string {
  const zone = safeZone(timeZone) ?? 'UTC';
  const local = new Date(epochMs + zoneOffsetMs(zone, epochMs));
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(
    local.getUTCHours(),
  )}:${pad(local.getUTCMinutes())}`;
}

/** A `YYYY-MM-DDTHH:mm[:ss]` wall time in a zone as an instant; null when it is not a valid time. */
export function fromZonedInputValue(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const zone = safeZone(timeZone) ?? 'UTC';
  const wall = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  if (Number.isNaN(wall)) return null;
  // Two passes settle the offset across a daylight-saving change.
  let instant = wall - zoneOffsetMs(zone, wall);
  instant = wall - zoneOffsetMs(zone, instant);
  return new Date(instant);
}
