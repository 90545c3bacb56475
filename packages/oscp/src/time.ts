import { z } from 'zod';

/**
 * When the reader knows the time, every instant on the wire must lie within this many years of
 * it: nothing a peer tells us about is decades away, and a date such as year 0 or 9999 would
 * otherwise reach arithmetic and storage.
 */
export const INSTANT_WINDOW_YEARS = 10;
const WINDOW_MS = Math.round(INSTANT_WINDOW_YEARS * 365.25 * 24 * 3600_000);

/** The instant timestamps are judged against, while a parse that knows it runs (see `parsingAt`). */
let windowCentre: number | undefined;

/**
 * Runs a synchronous parse with `now` as the centre of the instant window. Parsing is
 * synchronous, so no other parse can observe the window in between.
 */
export function parsingAt<T>(now: Date, parse: () => T): T {
  const previous = windowCentre;
  windowCentre = now.getTime();
  try {
    return parse();
  } finally {
    windowCentre = previous;
  }
}

/**
 * An RFC 3339 date-time with an explicit offset: `Z` or `±hh:mm`, upper-case `T`/`Z`, seconds
 * required, any number of fractional digits, real calendar dates only. A time without an offset is
 * ambiguous across peers in different zones, so it is rejected. It must fall in the years 0000 to
 * 9999 in UTC (what can be written back), and within INSTANT_WINDOW_YEARS of now when the parse
 * knows now. Kept as a string on the wire types.
 */
export const wireTimestampSchema = z.iso.datetime({ offset: true }).superRefine((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return; // the format check reports it
  const year = new Date(ms).getUTCFullYear();
  if (year < 0 || year > 9999) {
    ctx.addIssue({ code: 'custom', message: 'must fall in the years 0000 to 9999 (UTC)' });
  } else if (windowCentre !== undefined && Math.abs(ms - windowCentre) > WINDOW_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `must be within ${INSTANT_WINDOW_YEARS} years of now`,
    });
  }
});
export type WireTimestamp = z.infer<typeof wireTimestampSchema>;

/** Formats an instant the way we emit every timestamp: UTC with a `Z` and milliseconds. */
export function toWireTime(date: Date): WireTimestamp {
  const ms = date.getTime();
  // toISOString switches to a signed 6-digit year outside 0000–9999, which no peer would accept.
  if (Number.isNaN(ms) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new RangeError(`cannot format ${String(date)} as an OSCP timestamp`);
  }
  return date.toISOString();
}

/** Reads a timestamp that has passed `wireTimestampSchema`; any offset is honoured. */
export function fromWireTime(value: WireTimestamp): Date {
  if (!wireTimestampSchema.safeParse(value).success) {
    throw new RangeError(`not an OSCP timestamp: ${JSON.stringify(value)}`);
  }
  return new Date(value);
}
