import { describe, expect, it } from 'vitest';
import { problemAction, problemHint, type ProblemReport } from './connection-problem';

const report = (over: Partial<ProblemReport>): ProblemReport => ({
  kind: 'DELIVERY',
  subject: 'Heartbeat',
  at: '2026-03-02T09:00:00Z',
  attempted: 'Heartbeat',
  url: 'https://cp.example/oscp/cp/2.0/heartbeat',
  status: '403',
  message: 'invalid token',
  ...over,
});

describe('the action a problem offers', () => {
  it.each([
    ['a delivery refused for its credentials', report({ status: '401' }), 'REREGISTER'],
    ['our Register refused', report({ subject: 'Register', status: '403' }), 'REREGISTER'],
    ['a registration that failed', report({ kind: 'REGISTRATION', status: '400' }), 'REREGISTER'],
    [
      'a peer that did not register back',
      report({ kind: 'REGISTRATION', status: 'timeout' }),
      null,
    ],
    ['a peer that does not answer', report({ status: 'timeout' }), null],
    ['a server error at the peer', report({ status: '503' }), null],
    ['missing heartbeats', report({ kind: 'LIVENESS', status: null }), null],
    ['a handshake not acknowledged', report({ kind: 'HANDSHAKE', status: 'timeout' }), null],
    ['refused inbound messages', report({ kind: 'INBOUND', status: '403' }), null],
  ] as const)('for %s is %s', (_, problem, action) => {
    expect(problemAction(problem)).toBe(action);
  });

  it('is offered exactly where the hint says to Re-register', () => {
    const kinds = ['DELIVERY', 'LIVENESS', 'REGISTRATION', 'HANDSHAKE', 'INBOUND'] as const;
    const statuses = [
      null,
      '400',
      '401',
      '403',
      '404',
      '500',
      '503',
      'timeout',
      'failed',
      'invalid',
    ];
    for (const kind of kinds)
      for (const subject of ['Register', 'Heartbeat', 'Handshake'])
        for (const status of statuses) {
          const problem = report({ kind, subject, status });
          const saysReregister = problemHint(problem)?.includes('Re-register') ?? false;
          expect(problemAction(problem) === 'REREGISTER', `${kind} ${subject} ${status}`).toBe(
            saysReregister,
          );
        }
  });
});
