/**
 * What can be wrong with a connection, each cleared by a later success of the same kind: a
 * delivery of that message kind, the peer's heartbeat, a registration, a handshake, an accepted
 * message on that endpoint.
 */
export type ProblemKind = 'DELIVERY' | 'LIVENESS' | 'REGISTRATION' | 'HANDSHAKE' | 'INBOUND';

/** A problem as a decision reports it. `subject` narrows the kind: a message kind or an endpoint. */
export interface ProblemReport {
  kind: ProblemKind;
  subject: string;
  at: string;
  /** What was attempted, e.g. "Heartbeat (attempt 1 of 1)" or "Registration". */
  attempted: string;
  url: string | null;
  /** HTTP status, "timeout", or the outcome kind. */
  status: string | null;
  message: string;
}

/** A problem as the connection keeps it: open until cleared, counted while it recurs. */
export interface ConnectionProblem extends ProblemReport {
  firstSeen: string;
  lastSeen: string;
  count: number;
  clearedAt: string | null;
}

/** The single latest problem, as the console showed it before problems were a list. */
export interface ConnectionError {
  source: ProblemKind;
  at: string;
  attempted: string;
  url: string | null;
  status: string | null;
  message: string;
  clearedAt: string | null;
}

/** The problem to show first: the most recent open one, else the most recently cleared. */
export function latestError(problems: readonly ConnectionProblem[]): ConnectionError | null {
  const open = problems.filter((p) => p.clearedAt === null);
  const pool = open.length > 0 ? open : problems;
  const latest = [...pool].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))[0];
  if (!latest) return null;
  return {
    source: latest.kind,
    at: latest.lastSeen,
    attempted: latest.attempted,
    url: latest.url,
    status: latest.status,
    message: latest.message,
    clearedAt: latest.clearedAt,
  };
}
