import { z } from 'zod';
import {
  CAPACITY_FORECAST_TYPES,
  FORECASTED_BLOCK_UNITS,
  PHASE_INDICATORS,
} from '@openvelope/oscp';
import { OPERATING_MODES } from './domain/operating-mode';

/**
 * Answers of the connection's lifecycle and control routes, and of the secrets it refers to:
 * what the console reads besides the connection itself (contract.ts).
 */

export const secretView = z.object({
  name: z.string(),
  set: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type SecretView = z.infer<typeof secretView>;
export const secretList = z.object({ secrets: z.array(secretView) });

export const oscpInfo = z.object({
  /** Our OSCP base URL, to give the Capacity Provider. */
  baseUrl: z.string(),
  tokenUrl: z.string(),
  versions: z.array(z.string()),
});
export type OscpInfo = z.infer<typeof oscpInfo>;

export const issuedInitialToken = z.object({ token: z.string() });
export const issuedOAuthClient = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  tokenUrl: z.string(),
});
export type IssuedOAuthClient = z.infer<typeof issuedOAuthClient>;

/** A forecast block as the peer sent it (stored as received, so no bounds are checked again). */
const receivedBlock = z.object({
  capacity: z.number(),
  phase: z.enum(PHASE_INDICATORS),
  unit: z.enum(FORECASTED_BLOCK_UNITS),
  start_time: z.string(),
  end_time: z.string(),
});

const translatedLimit = z.object({
  value: z.number(),
  unit: z.enum(['A', 'KW', 'KW_PER_PHASE']),
});

const storedBlock = z.object({
  type: z.string(),
  start: z.string(),
  end: z.string(),
  /** What the block means for the scope, in the unit the envelope uses. */
  limit: translatedLimit,
  wire: z.record(z.string(), z.unknown()),
  requestId: z.string(),
});

export const controlView = z.object({
  mode: z.enum(OPERATING_MODES),
  fallback: z.boolean(),
  /** The limit the mode imposes now (A per phase or kW), or null for none. */
  limit: translatedLimit.nullable(),
  reason: z.string(),
  modeSince: z.string().nullable(),
  envelopeId: z.string().nullable(),
  disconnectedAt: z.string().nullable(),
  lastForecast: z
    .object({
      requestId: z.string(),
      type: z.enum(CAPACITY_FORECAST_TYPES),
      at: z.string(),
      blocks: z.array(receivedBlock),
      outcome: z.enum(['ACCEPTED', 'REJECTED']),
      reason: z.string().nullable(),
    })
    .nullable(),
  incidentId: z.string().nullable(),
  /** Stored blocks ending within the last day or later, by role. */
  blocks: z.object({
    primary: z.array(storedBlock),
    fallback: z.array(storedBlock),
    optimum: z.array(storedBlock),
    generation: z.array(storedBlock),
  }),
});
export type ControlView = z.infer<typeof controlView>;

export const timelinePage = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      position: z.number(),
      type: z.string(),
      at: z.string(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
});
