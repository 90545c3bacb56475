import { z } from 'zod';

/**
 * Shapes shared by every context's contract. A response schema's input side is what travels as
 * JSON (the serializer encodes the handler's value into it), so `z.input` of a contract schema is
 * the wire type the console reads and sends.
 */

/** An instant: an ISO 8601 string on the wire, a Date in the handler. */
export const wireInstant = z.codec(
  z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with an offset' }),
  z.date(),
  { decode: (text) => new Date(text), encode: (date) => date.toISOString() },
);

/** The answer of a route that answers 204 with no body. */
export const noContent = z.undefined().describe('No content');
