import { z } from 'zod';

/**
 * An RFC 3339 date-time with an explicit offset: `Z` or `±hh:mm`, upper-case `T`/`Z`, seconds
 * required, any number of fractional digits, real calendar dates only. A time without an offset is
 * ambiguous across peers in different zones, so it is rejected. Kept as a string on the wire types.
 */
export const wireTimestampSchema = z.iso.datetime({ offset: true });
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
