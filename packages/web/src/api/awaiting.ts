import { CAPACITY_FORECAST_TYPES, PHASE_INDICATORS, type ForecastedBlock } from '@openvelope/oscp';
import { z } from 'zod';
import type {
  ControlAnswer,
  IncidentRow,
  NotificationRow,
  OutboundView,
} from '@openvelope/server/awaiting-contract';

/**
 * Answers of the OSCP and notification routes that declare no response schema yet. Where the
 * server has a type for the answer it comes from there; the few written here are what those
 * handlers build inline. Each goes when its route declares a response schema.
 */

export type Publication = OutboundView;
export type NotificationView = NotificationRow;
export type IncidentView = IncidentRow;

export interface Page<Item> {
  items: Item[];
  total: number;
}

/** The operating mode and stored forecast blocks; the last forecast is stored as received. */
export type ControlView = Omit<ControlAnswer, 'lastForecast'> & {
  lastForecast: {
    requestId: string;
    type: string;
    at: string;
    outcome: 'ACCEPTED' | 'REJECTED';
    reason: string | null;
    blocks: ForecastedBlock[];
  } | null;
};

// Built inline by oscp/http/connection-routes.ts and lifecycle-routes.ts.
export interface SecretView {
  name: string;
  set: boolean;
  updatedAt: string;
  updatedBy: string | null;
}
export interface OscpInfo {
  baseUrl: string;
  tokenUrl: string;
  versions: string[];
}
export interface IssuedOAuthClient {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}
/** A message an operator sent the peer: find it under Publications by its request id. */
export interface SentToPeer {
  requestId: string;
  correlationId: string | null;
}

// lifecycle-routes.ts keeps these request schemas to itself; the same rules until it exports them.
const requestedInstant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant' });
export const adjustmentRequestBody = z.object({
  type: z.enum(CAPACITY_FORECAST_TYPES),
  blocks: z
    .array(
      z.object({
        start: requestedInstant,
        end: requestedInstant,
        capacity: z.number().min(0, 'must be zero or more'),
        unit: z.enum(['A', 'W', 'KW']),
        phase: z.enum(PHASE_INDICATORS),
      }),
    )
    .min(1, 'name at least one period'),
});
export type AdjustmentRequestBody = z.input<typeof adjustmentRequestBody>;
export const complianceErrorBody = z.object({
  message: z.string().trim().min(1, 'say what cannot be met').max(1000),
  forecastRequestId: z.string().min(1).optional(),
});
export type ComplianceErrorBody = z.input<typeof complianceErrorBody>;
