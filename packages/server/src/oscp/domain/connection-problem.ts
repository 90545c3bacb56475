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
  /** What to do about it, for the person looking at it. */
  hint: string | null;
  /** The console action the hint points to, offered beside it. */
  action: ProblemAction | null;
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

const refusedCredentials = (status: string | null) => status === '401' || status === '403';

/**
 * What to do next about a problem: one sentence for the support operator, chosen from what was
 * attempted and how it failed. One function, easy to reword.
 */
export function problemHint(p: ProblemReport): string | null {
  switch (p.kind) {
    case 'DELIVERY':
      if (p.subject === 'Register' && refusedCredentials(p.status))
        return 'The Capacity Provider refused the credentials of our Register. Initial tokens are often single-use: if this connection registered before, use Re-register with the peer’s latest token; otherwise ask the Capacity Provider for a new initial token and set it on the connection.';
      if (refusedCredentials(p.status))
        return 'The Capacity Provider no longer accepts our credentials (it may have lost its state): use Re-register, or check the credentials configured for it.';
      if (p.status === 'timeout' || p.status === 'failed' || (p.status ?? '').startsWith('5'))
        return `The Capacity Provider did not answer${p.url ? ` at ${p.url}` : ''}: check it is up and reachable. Messages are retried on their own.`;
      if (p.status === 'invalid')
        return 'The message could not be sent as configured (a secret or URL is missing): fix the connection’s configuration.';
      return 'The Capacity Provider refused the message as sent; its reason is above. Check the peer URL and what it expects.';
    case 'LIVENESS':
      return 'The Capacity Provider sends no heartbeats: its fallback forecast or the gap policy applies until it does. Check that it is up; if it never sends heartbeats by design, set the profile not to expect them.';
    case 'HANDSHAKE':
      return 'We send our handshake again with growing waits: check that the Capacity Provider acknowledges handshakes (to our handshake_acknowledge endpoint), or use Retry handshake.';
    case 'REGISTRATION':
      return p.status === 'timeout'
        ? 'The Capacity Provider did not register back: check that it has our base URL and accepted our Register, then Retry registration.'
        : 'Check the initial token and the peer URL, then Retry registration or Re-register.';
    case 'INBOUND':
      return `The Capacity Provider’s ${p.subject} messages are refused: the refusal log lists each one and why.`;
  }
}

/** Actions a problem's hint can point to, that the console offers beside it. */
export const PROBLEM_ACTIONS = ['REREGISTER'] as const;
export type ProblemAction = (typeof PROBLEM_ACTIONS)[number];

/**
 * The action a problem's hint recommends, when the console can offer it as a button: Re-register
 * where the peer refuses our credentials or our Register. Keep it in step with problemHint.
 */
export function problemAction(p: Pick<ProblemReport, 'kind' | 'status'>): ProblemAction | null {
  if (p.kind === 'DELIVERY' && refusedCredentials(p.status)) return 'REREGISTER';
  if (p.kind === 'REGISTRATION' && p.status !== 'timeout') return 'REREGISTER';
  return null;
}
