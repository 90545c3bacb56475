import { z } from 'zod';

// The bounds every value on the wire must keep before anyone computes with it or stores it.
// They are far beyond any real depot or grid group, and far short of what breaks arithmetic or a
// database: a value outside them is a mistake or an attack, never a measurement.

/** Amperes (per phase or for a whole group): 100 kA. */
export const MAX_CURRENT_A = 100_000;
/** Kilowatts: 1 GW. */
export const MAX_POWER_KW = 1_000_000;
/** Kilowatt-hours: 1 TWh. */
export const MAX_ENERGY_KWH = 1_000_000_000;
/** Seconds between heartbeats: at most a day. */
export const MAX_HEARTBEAT_INTERVAL_S = 86_400;
/** X-Request-ID and X-Correlation-ID: a UUID is 36 characters; anything longer than this is not an id. */
export const MAX_MESSAGE_ID_LENGTH = 128;
/** Identifiers on the wire (group, asset, version ids). */
export const MAX_IDENTIFIER_LENGTH = 255;
/** Tokens a peer hands us to call it with. */
export const MAX_TOKEN_LENGTH = 1024;
/** Free text (a compliance error's message). */
export const MAX_TEXT_LENGTH = 4000;

/** The largest value each unit may carry (W and Wh in their own unit). */
export const UNIT_CEILING: Record<string, number> = {
  A: MAX_CURRENT_A,
  KW: MAX_POWER_KW,
  W: MAX_POWER_KW * 1000,
  KWH: MAX_ENERGY_KWH,
  WH: MAX_ENERGY_KWH * 1000,
};

/** PostgreSQL text cannot hold NUL, and no identifier or message needs one. */
export function containsNul(value: string): boolean {
  return value.includes('\u0000');
}

/** A string without NUL characters. */
export const wireText = z
  .string()
  .refine((value) => !containsNul(value), { error: 'must not contain NUL characters' });
