/** What kind of success clears a problem: a delivery, the peer's heartbeat, a registration, a handshake. */
export type ProblemSource = 'DELIVERY' | 'LIVENESS' | 'REGISTRATION' | 'HANDSHAKE';

/** The latest tracked problem of a connection, and when a later success cleared it. */
export interface ConnectionError {
  source: ProblemSource;
  at: string;
  /** What was attempted, e.g. "Heartbeat (attempt 1 of 1)" or "Registration". */
  attempted: string;
  url: string | null;
  /** HTTP status, "timeout", or the outcome kind. */
  status: string | null;
  message: string;
  clearedAt?: string | null;
}
