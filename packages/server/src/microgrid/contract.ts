import { z } from 'zod';
import {
  amps,
  boundedInstant,
  MAX_ENERGY_WH,
  MAX_POWER_W,
  MAX_VOLTAGE_V,
  positiveAmps,
  positiveQuantity,
  powerLimit,
  priority,
  quantity,
} from '../platform/http/bounds';

/**
 * The microgrid API's request and response shapes. Routes validate with these, the OpenAPI
 * document is generated from them, and the console imports their types: one contract.
 */

const instant = boundedInstant();
const id = z.uuid('must be a UUID');
export const idParams = z.object({ id });

export const phaseSchema = z.enum(['L1', 'L2', 'L3']);
export const powerLimitSchema = powerLimit;

export const capacitySourceView = z.object({
  kind: z.enum(['STATIC', 'ENVELOPE']),
  label: z.string(),
  envelopeId: z.string().optional(),
  until: z.string().optional(),
  /** Present while the limit is a contingency (fallback) limit: the console shows yellow "Fallback mode". */
  fallbackReason: z.string().optional(),
});
export type CapacitySourceView = z.infer<typeof capacitySourceView>;

export const circuitSummary = z.object({
  id: z.string(),
  name: z.string(),
  phaseCount: z.number(),
  nominalVoltageV: z.number(),
  staticCapacityA: z.number(),
  effectiveCapacityA: z.number(),
  source: capacitySourceView,
  chargerCount: z.number(),
  activeSessionCount: z.number(),
});
export type CircuitSummary = z.infer<typeof circuitSummary>;

export const scopeSummary = z.object({
  id: z.string(),
  name: z.string(),
  circuits: z.array(z.object({ id: z.string(), name: z.string() })),
  /** The one circuit the scope maps to; null when it maps to none or to several (see mappingProblem). */
  circuit: z.object({ id: z.string(), name: z.string() }).nullable(),
  mappingProblem: z.enum(['NO_CIRCUIT', 'MULTIPLE_CIRCUITS']).nullable(),
});
export type ScopeSummary = z.infer<typeof scopeSummary>;

export const microgridSummary = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  scopes: z.array(scopeSummary),
  circuits: z.array(circuitSummary),
});
export type MicrogridSummary = z.infer<typeof microgridSummary>;
export const microgridList = z.object({ microgrids: z.array(microgridSummary) });
export type MicrogridList = z.infer<typeof microgridList>;

export const bindingView = z.object({
  kind: z.enum(['CAPACITY', 'CHARGER_MAX', 'VEHICLE_MAX', 'PAUSED', 'NOT_FOLLOWING']),
  label: z.string(),
  phase: phaseSchema.optional(),
});
export type BindingView = z.infer<typeof bindingView>;

export const chargerView = z.object({
  id: z.string(),
  name: z.string(),
  phases: z.array(phaseSchema),
  minCurrentA: z.number(),
  maxCurrentA: z.number(),
  priority: z.number(),
  session: z
    .object({
      id: z.string(),
      startedAt: z.string(),
      vehicleLabel: z.string().nullable(),
      vehicleMaxCurrentA: z.number().nullable(),
      energyWh: z.number(),
    })
    .nullable(),
  allocation: z
    .object({ currentA: z.number(), binding: bindingView, computedAt: z.string() })
    .nullable(),
  lastReading: z
    .object({ measuredAt: z.string(), currentA: z.number(), powerW: z.number() })
    .nullable(),
});
export type ChargerView = z.infer<typeof chargerView>;

export const circuitDetail = circuitSummary.extend({
  microgridId: z.string(),
  microgridName: z.string(),
  timezone: z.string(),
  capacityUpdatedAt: z.string(),
  scopes: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Sum of the latest metered current on the most loaded phase. */
  measuredLoadA: z.number(),
  allocatedA: z.record(phaseSchema, z.number()),
  chargers: z.array(chargerView),
});
export type CircuitDetail = z.infer<typeof circuitDetail>;

export const capacityHistory = z.object({
  from: z.string(),
  to: z.string(),
  points: z.array(
    z.object({
      at: z.string(),
      staticCapacityA: z.number(),
      effectiveCapacityA: z.number(),
      sourceLabel: z.string(),
      /**
       * What kind of limit was in force, for shading: STATIC (local control), MANUAL, or the
       * adapter's own label (e.g. OSCP's NORMAL, FALLBACK_OFFLINE, GAP_POLICY).
       */
      category: z.string(),
      fallback: z.boolean(),
    }),
  ),
  load: z.array(z.object({ at: z.string(), currentA: z.number() })),
});
export type CapacityHistory = z.infer<typeof capacityHistory>;

export const envelopeStatus = z.enum(['SCHEDULED', 'ACTIVE', 'EXPIRED', 'WITHDRAWN']);
export const envelopeView = z.object({
  id: z.string(),
  role: z.enum(['LIMIT', 'STANDBY']),
  scopeId: z.string(),
  circuitId: z.string(),
  source: z.string(),
  origin: z.record(z.string(), z.unknown()),
  status: envelopeStatus,
  startsAt: z.string(),
  endsAt: z.string(),
  submittedAt: z.string(),
  submittedBy: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  withdrawnBy: z.string().nullable(),
  blocks: z.array(
    z.object({
      index: z.number(),
      start: z.string(),
      end: z.string(),
      importLimit: z.object({ value: z.number(), unit: z.enum(['A', 'KW', 'KW_PER_PHASE']) }),
      importLimitA: z.number(),
    }),
  ),
});
export type EnvelopeView = z.infer<typeof envelopeView>;
/** A page of envelopes, newest first; `nextBefore` asks for the next page (null: the last). */
export const envelopeList = z.object({
  envelopes: z.array(envelopeView),
  nextBefore: z.string().nullable(),
});
export type EnvelopeList = z.infer<typeof envelopeList>;

/** A microgrid as created or edited (its circuits and scopes are listed by `GET /api/microgrids`). */
export const microgridView = z.object({ id: z.string(), name: z.string(), timezone: z.string() });
export type MicrogridView = z.infer<typeof microgridView>;
/** The id of what a POST created. */
export const createdId = z.object({ id: z.string() });
export const meterValuesAccepted = z.object({ accepted: z.number() });

// Requests

export const submitEnvelopeBody = z.object({
  source: z.string().trim().min(1, 'is required').max(200),
  blocks: z
    .array(z.object({ start: instant, end: instant, importLimit: powerLimitSchema }))
    .min(1, 'at least one block is required')
    .max(1000),
});
export type SubmitEnvelopeBody = z.infer<typeof submitEnvelopeBody>;

export const envelopeListQuery = z.object({
  status: z.enum(['open', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** The `nextBefore` of the previous page. */
  before: z.string().max(80).optional(),
});

export const capacityHistoryQuery = z.object({
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 14)
    .default(24),
});

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Pacific/Auckland');

const name = z.string().trim().min(1, 'is required').max(100);

export const createMicrogridBody = z.object({ name, timezone });
export const updateMicrogridBody = createMicrogridBody.partial();

export const createCircuitBody = z.object({
  name,
  phaseCount: z.union([z.literal(1), z.literal(3)], { message: 'must be 1 or 3' }),
  nominalVoltageV: positiveQuantity(MAX_VOLTAGE_V, 'V').default(230),
  staticCapacityA: amps(),
});
export const updateCircuitBody = z.object({
  name: name.optional(),
  nominalVoltageV: positiveQuantity(MAX_VOLTAGE_V, 'V').optional(),
  staticCapacityA: amps().optional(),
});

export const createScopeBody = z.object({ name, circuitIds: z.array(id).default([]) });
export const updateScopeBody = z.object({
  name: name.optional(),
  circuitIds: z.array(id).optional(),
});

export const createChargerBody = z
  .object({
    name,
    phases: z.array(phaseSchema).min(1, 'at least one phase').max(3),
    minCurrentA: amps().default(6),
    maxCurrentA: positiveAmps(),
    priority: priority().default(0),
  })
  .refine((c) => c.maxCurrentA >= c.minCurrentA, {
    message: 'must be at least minCurrentA',
    path: ['maxCurrentA'],
  })
  .refine((c) => new Set(c.phases).size === c.phases.length, {
    message: 'must not repeat a phase',
    path: ['phases'],
  })
  .refine((c) => c.phases.length === 1 || c.phases.length === 3, {
    message: 'a charger draws on 1 or 3 phases',
    path: ['phases'],
  });
export const updateChargerBody = z.object({
  name: name.optional(),
  minCurrentA: amps().optional(),
  maxCurrentA: positiveAmps().optional(),
  priority: priority().optional(),
});

export const startSessionBody = z.object({
  vehicleLabel: z.string().trim().max(100).optional(),
  vehicleMaxCurrentA: positiveAmps().optional(),
});

export const meterValuesBody = z.object({
  readings: z
    .array(
      z.object({
        chargerId: id,
        measuredAt: instant,
        /** The session's energy register (Wh since the session started). */
        energyWh: quantity(MAX_ENERGY_WH, 'Wh'),
        powerW: quantity(MAX_POWER_W, 'W'),
        currentA: amps(),
      }),
    )
    .min(1)
    .max(1000),
});

// Breaches

/** A circuit's breach rule: tolerance over the limit and hold time (ADR 0050). */
export const breachSettingsBody = z.object({
  tolerancePercent: z.number().min(0, 'must be zero or more').max(100, 'must be at most 100'),
  toleranceA: z.number().min(0, 'must be zero or more').max(1000, 'must be at most 1000'),
  holdSeconds: z
    .number()
    .int('must be whole seconds')
    .min(1, 'must be at least 1 s')
    .max(3600, 'must be at most an hour'),
  worseningPercent: z.number().min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
});
export type BreachSettingsBody = z.infer<typeof breachSettingsBody>;

export const breachEpisodeView = z.object({
  id: z.string(),
  /** The most loaded phase when the breach started. */
  phase: phaseSchema,
  limitA: z.number(),
  measuredA: z.number(),
  /** When the load went over the limit (the breach started a hold time later). */
  since: z.string(),
  startedAt: z.string(),
  peakA: z.number(),
  peakPhase: phaseSchema,
  /** The latest worsening, if it worsened. */
  worsened: z
    .object({ at: z.string(), phase: phaseSchema, measuredA: z.number(), limitA: z.number() })
    .nullable(),
  /** When the load came back under the limit for good; null while the breach is open. */
  endedAt: z.string().nullable(),
  /** What set the limit when it started. */
  limitLabel: z.string(),
});
export type BreachEpisodeView = z.infer<typeof breachEpisodeView>;

export const circuitBreaches = z.object({
  settings: breachSettingsBody,
  /** SUSPECTED: over the limit, not yet for the hold time (amber); OPEN: a breach (red). */
  status: z.enum(['NORMAL', 'SUSPECTED', 'OPEN']),
  limitA: z.number(),
  /** How far over the limit a phase may draw before it counts (the larger of % and A). */
  toleranceA: z.number(),
  /** Breaches start only while an envelope sets the limit. */
  envelopeInForce: z.boolean(),
  phases: z.array(z.object({ phase: phaseSchema, measuredA: z.number(), overLimit: z.boolean() })),
  overSince: z.string().nullable(),
  /** An open breach's load has been back under the limit since then. */
  withinSince: z.string().nullable(),
  /** When the running hold time ends: a suspicion becomes a breach, or an open one ends. */
  holdEndsAt: z.string().nullable(),
  open: breachEpisodeView.nullable(),
  /** Episodes open at some time in the past 24 hours, newest first. */
  episodes: z.array(breachEpisodeView),
});
export type CircuitBreaches = z.infer<typeof circuitBreaches>;
