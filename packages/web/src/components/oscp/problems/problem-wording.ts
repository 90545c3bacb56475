import type { ProblemView } from '../../../api/types';

/** What each kind of problem concerns, as an operator reads it. */
export const PROBLEM_KIND_LABEL: Record<ProblemView['kind'], string> = {
  REGISTRATION: 'Registration',
  HANDSHAKE: 'Handshake',
  LIVENESS: 'Heartbeats',
  DELIVERY: 'Delivery',
  INBOUND: 'Refused from the peer',
};

/** "Delivery · Heartbeat": the kind, and the message kind or endpoint it is about when there is one. */
export const problemTitle = (p: Pick<ProblemView, 'kind' | 'subject'>) =>
  p.subject ? `${PROBLEM_KIND_LABEL[p.kind]} · ${p.subject}` : PROBLEM_KIND_LABEL[p.kind];

/** "once", "twice", "12 times". */
export const timesSeen = (count: number) =>
  count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
