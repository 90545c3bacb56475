/**
 * Why a decider said no. Inbound OSCP calls are answered with the status OSCP peers expect for
 * each reason (DIGEST §2: 400 for invalid messages, 401 without credentials, 403 for a caller or
 * state that may not do this, 501 without a common version); operator commands refused for the
 * connection's state are conflicts.
 */
export type RefusalCode =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'unsupported-version' | 'conflict';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export const refuse = (code: RefusalCode, message: string): Refusal => ({ code, message });

/** The HTTP status an OSCP peer gets for each refusal (protocol knowledge, hence here). */
export const OSCP_STATUS_OF: Record<RefusalCode, 400 | 401 | 403 | 404 | 409 | 501> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'unsupported-version': 501,
};
