import type { CapacityForecastType, ForecastedBlock } from '@openvelope/oscp';
import type { ForecastRole, FlowDirection, TranslatedLimit } from './forecast-translation';
import type { GapPolicy } from './connection-profile';
import type { OperatingMode } from './operating-mode';

/**
 * Records about a connection that are not decisions of its aggregate: delivery attempts, forecast intake and the operating mode OSCP control chose, operator messages, breaches reported. They live
 * in the connection's audit stream (`oscp-connection-<id>-audit`), appended under the connection's
 * row lock, and are read with the aggregate's events as one timeline.
 */

/** Where a forecast was bound when it arrived. */
export interface ForecastBinding {
  groupId: string;
  microgridId: string;
  scopeId: string;
}

export type ConnectionAuditEvent =
  | {
      type: 'OscpOutboundAttempted';
      data: {
        connectionId: string;
        kind: string;
        requestId: string;
        correlationId: string | null;
        attempt: number;
        status: 'DELIVERED' | 'RETRYING' | 'FAILED';
        outcome: 'delivered' | 'rejected' | 'failed' | 'invalid';
        httpStatus: number | null;
        url: string | null;
        error: string | null;
        /** The start of the peer's answer as received, when it refused with a body. */
        response?: string | null;
        nextAttemptAt: string | null;
        at: string;
      };
    }
  | {
      type: 'OscpForecastAccepted';
      data: {
        connectionId: string;
        requestId: string;
        type: CapacityForecastType;
        role: ForecastRole;
        direction: FlowDirection;
        binding: ForecastBinding;
        span: { start: string; end: string };
        /** How many stored blocks of its type it replaced. */
        replacedBlocks: number;
        translation: { index: number; start: string; end: string; limit: TranslatedLimit }[];
        /** Whether it can constrain the scope (consumption limits) or is kept for the record. */
        enforced: boolean;
        at: string;
      };
    }
  | {
      type: 'OscpForecastRejected';
      data: {
        connectionId: string;
        requestId: string;
        type: CapacityForecastType;
        binding: ForecastBinding;
        reason: string;
        at: string;
      };
    }
  | {
      type: 'OscpModeChanged';
      data: {
        connectionId: string;
        from: OperatingMode;
        to: OperatingMode;
        reason: string;
        trigger: string;
        envelopeId: string | null;
        limit: TranslatedLimit | null;
        at: string;
      };
    }
  | {
      type: 'OscpGapPolicyApplied';
      data: {
        connectionId: string;
        policy: GapPolicy;
        limit: TranslatedLimit | null;
        reason: string;
        scopeId: string;
        at: string;
      };
    }
  | {
      type: 'OscpFallbackEntered';
      data: {
        connectionId: string;
        mode: OperatingMode;
        reason: string;
        limit: TranslatedLimit | null;
        scopeId: string;
        at: string;
      };
    }
  | {
      type: 'OscpFallbackExited';
      data: {
        connectionId: string;
        mode: OperatingMode;
        reason: string;
        since: string;
        scopeId: string;
        at: string;
      };
    }
  | {
      type: 'OscpControlHandedOver';
      data: {
        connectionId: string;
        how: 'DISABLED' | 'DISCONNECTED';
        by: string;
        scopeId: string;
        groupId: string;
        withdrawnEnvelopeId: string | null;
        message: string;
        at: string;
      };
    }
  | {
      type: 'OscpAdjustmentRequested';
      data: {
        connectionId: string;
        requestId: string;
        type: CapacityForecastType;
        blocks: ForecastedBlock[];
        /** The accepted forecast it is about (its X-Correlation-ID); absent on older records. */
        forecastRequestId?: string;
        by: string;
        at: string;
      };
    }
  | {
      type: 'OscpComplianceErrorReported';
      data: {
        connectionId: string;
        requestId: string;
        forecastRequestId: string;
        message: string;
        by: string;
        at: string;
      };
    }
  | {
      /** A compliance error sent because a breach under our limit started or worsened (ADR 0050). */
      type: 'OscpBreachReported';
      data: {
        connectionId: string;
        requestId: string;
        forecastRequestId: string;
        episodeId: string;
        reason: 'STARTED' | 'WORSENED';
        circuitId: string;
        circuitName: string;
        phase: string;
        limitA: number;
        measuredA: number;
        since: string;
        message: string;
        at: string;
      };
    }
  | {
      /** A breach we told the Capacity Provider about ended; nothing more is sent for it. */
      type: 'OscpReportedBreachEnded';
      data: {
        connectionId: string;
        episodeId: string;
        circuitId: string;
        circuitName: string;
        endedAt: string;
        at: string;
      };
    };

export type ConnectionAuditEventType = ConnectionAuditEvent['type'];
