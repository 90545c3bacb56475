import { z } from 'zod';

// The physical ranges every number of the management API keeps, and the window its instants fall
// in (ADR 0030). Far beyond any depot, far short of what overflows a conversion or a column: a
// value outside them is a mistake, never a reading. Pure zod, so the console checks the same.

/** Amperes per phase (circuits, chargers, vehicles, readings, limits): 100 kA. */
export const MAX_CURRENT_A = 100_000;
/** Kilowatts (limits): 1 GW. */
export const MAX_POWER_KW = 1_000_000;
/** Watts (readings): 1 GW. */
export const MAX_POWER_W = MAX_POWER_KW * 1000;
/** Watt-hours (a session's energy register): 1 TWh. */
export const MAX_ENERGY_WH = 1e12;
/** Nominal voltage of a circuit, phase to neutral. */
export const MAX_VOLTAGE_V = 100_000;
/** Charger priorities lie in ±PRIORITY_RANGE. */
export const PRIORITY_RANGE = 1000;
/** Intervals in seconds (heartbeats, publications): at most a day. */
export const MAX_INTERVAL_S = 86_400;
/** Instants must lie within this many years of now. */
export const INSTANT_WINDOW_YEARS = 10;
const WINDOW_MS = Math.round(INSTANT_WINDOW_YEARS * 365.25 * 24 * 3600_000);

/** The instant request instants are judged against while the server validates a request. */
let windowCentre: number | undefined;

/**
 * Runs a synchronous validation with `now` as the centre of the instant window (the http server
 * wraps every request's validation in it). Validation is synchronous, so nothing else can observe
 * the window meanwhile; without it (the console) only the calendar is checked.
 */
export function validatingAt<T>(now: Date, validate: () => T): T {
  const previous = windowCentre;
  windowCentre = now.getTime();
  try {
    return validate();
  } finally {
    windowCentre = previous;
  }
}

/** An ISO 8601 instant with an offset, in the years 0000–9999 UTC and within the window of now. */
export const boundedInstant = (message = 'must be an ISO 8601 instant with an offset') =>
  z.iso.datetime({ offset: true, message }).superRefine((value, ctx) => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) return; // the format check reports it
    const year = new Date(ms).getUTCFullYear();
    if (year < 0 || year > 9999)
      ctx.addIssue({ code: 'custom', message: 'must fall in the years 0000 to 9999 (UTC)' });
    else if (windowCentre !== undefined && Math.abs(ms - windowCentre) > WINDOW_MS)
      ctx.addIssue({
        code: 'custom',
        message: `must be within ${INSTANT_WINDOW_YEARS} years of now`,
      });
  });

/** A non-negative quantity up to `max` of `unit`. */
export const quantity = (max: number, unit: string) =>
  z.number().min(0, 'must be zero or more').max(max, `must be at most ${max} ${unit}`);

/** A positive quantity up to `max` of `unit`. */
export const positiveQuantity = (max: number, unit: string) =>
  z.number().positive('must be more than 0').max(max, `must be at most ${max} ${unit}`);

export const amps = () => quantity(MAX_CURRENT_A, 'A');
export const positiveAmps = () => positiveQuantity(MAX_CURRENT_A, 'A');

/** A power limit in A per phase or kW, each within its range. */
export const powerLimit = z
  .object({ value: z.number().min(0, 'must be zero or more'), unit: z.enum(['A', 'KW']) })
  .superRefine((limit, ctx) => {
    const max = limit.unit === 'A' ? MAX_CURRENT_A : MAX_POWER_KW;
    if (limit.value > max)
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${max} ${limit.unit}`,
        path: ['value'],
      });
  });

export const priority = () =>
  z
    .number()
    .int('must be a whole number')
    .min(-PRIORITY_RANGE, `must be at least -${PRIORITY_RANGE}`)
    .max(PRIORITY_RANGE, `must be at most ${PRIORITY_RANGE}`);

/** Where to start a page, and how many rows at most; the cap keeps every answer bounded. */
export const pageLimit = (max = 200, fallback = 25) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
