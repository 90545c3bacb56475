import type { ForecastedBlock } from '@openvelope/oscp';
import type {
  ControlAnswer,
  IncidentRow,
  NotificationRow,
} from '@openvelope/server/awaiting-contract';

/**
 * Answers of the OSCP and notification routes that declare no response schema yet. Where the
 * server has a type for the answer it comes from there; the few written here are what those
 * handlers build inline. Each goes when its route declares a response schema.
 */

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
