import { CAPACITY_FORECAST_TYPES, PHASE_INDICATORS } from '@openvelope/oscp';
import { z } from 'zod';
import { boundedInstant, MAX_CURRENT_A, MAX_POWER_KW } from '../platform/http/bounds';

/**
 * Shapes of what we tell a Capacity Provider besides the routine: adjustment requests and
 * compliance errors an operator sends, what is offered now and why not, and the breaches OSCP
 * reported by itself. Part of the OSCP contract (re-exported by contract.ts).
 */

const requestedInstant = boundedInstant('must be an ISO 8601 instant');
const CAPACITY_CEILING = { A: MAX_CURRENT_A, KW: MAX_POWER_KW, W: MAX_POWER_KW * 1000 };

export const requestedBlock = z
  .object({
    start: requestedInstant,
    end: requestedInstant,
    capacity: z.number().min(0, 'must be zero or more'),
    unit: z.enum(['A', 'W', 'KW']),
    phase: z.enum(PHASE_INDICATORS).default('ALL'),
  })
  // A capacity no grid group has: it would overflow when converted (ADR 0030).
  .superRefine((block, ctx) => {
    const max = CAPACITY_CEILING[block.unit];
    if (block.capacity > max)
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${max} ${block.unit}`,
        path: ['capacity'],
      });
  });

export const adjustmentRequestBody = z.object({
  /** The accepted forecast the request is about (its X-Request-ID); the newest in force when absent. */
  forecastRequestId: z.string().min(1).max(200).optional(),
  /** Default: the forecast's type. */
  type: z.enum(CAPACITY_FORECAST_TYPES).optional(),
  blocks: z.array(requestedBlock).min(1, 'name at least one period').max(96),
});
export type AdjustmentRequestBody = z.input<typeof adjustmentRequestBody>;

export const complianceErrorBody = z.object({
  message: z.string().trim().min(1, 'say what cannot be met').max(1000),
  /** The accepted forecast concerned (its X-Request-ID); the one in force when absent. */
  forecastRequestId: z.string().min(1).max(200).optional(),
});
export type ComplianceErrorBody = z.input<typeof complianceErrorBody>;

export const sentToPeer = z.object({ requestId: z.string(), correlationId: z.string().nullable() });
export type SentToPeerView = z.infer<typeof sentToPeer>;

export const acceptedForecastView = z.object({
  requestId: z.string(),
  type: z.enum(CAPACITY_FORECAST_TYPES),
  /** The part of it that has not passed: where adjustment blocks must lie. */
  futureStart: z.string(),
  end: z.string(),
  receivedAt: z.string(),
});
export type AcceptedForecastView = z.infer<typeof acceptedForecastView>;

/** What an operator may send now, and why not when not. */
export const operatorMessageOffers = z.object({
  adjustment: z.object({
    offered: z.boolean(),
    reason: z.string().nullable(),
    /** Accepted forecasts with blocks ahead, newest first: the first is the default. */
    forecasts: z.array(acceptedForecastView),
  }),
  complianceError: z.object({
    offered: z.boolean(),
    reason: z.string().nullable(),
    /** What a report names when it names nothing: the forecast in force, else the latest accepted. */
    forecast: z
      .object({ requestId: z.string(), type: z.enum(CAPACITY_FORECAST_TYPES), at: z.string() })
      .nullable(),
  }),
});
export type OperatorMessageOffers = z.infer<typeof operatorMessageOffers>;

/** A compliance error sent for a breach, and where it stands in the outbox. */
const sentReport = z.object({
  requestId: z.string(),
  /** Its X-Correlation-ID: the accepted forecast whose limit was broken. */
  correlationId: z.string(),
  at: z.string(),
  /** The outbox's delivery status (null once the record was pruned). */
  status: z.string().nullable(),
});

/** A breach OSCP told a Capacity Provider about, with what it sent (ADR 0050). */
export const breachReportView = z.object({
  connectionId: z.string(),
  connectionName: z.string(),
  episodeId: z.string(),
  circuitId: z.string(),
  circuitName: z.string(),
  phase: z.string(),
  limitA: z.number(),
  measuredA: z.number(),
  since: z.string(),
  worsened: z
    .object({ at: z.string(), phase: z.string(), measuredA: z.number(), limitA: z.number() })
    .nullable(),
  endedAt: z.string().nullable(),
  /** What was sent when it started. */
  started: sentReport,
  /** The one more sent when it worsened under a forecast's limit, if it did. */
  worsenedReport: sentReport.nullable(),
});
export type BreachReportView = z.infer<typeof breachReportView>;
export const breachReportList = z.object({ reports: z.array(breachReportView) });
export const breachReportQuery = z.object({ circuitId: z.uuid('must be a UUID') });
