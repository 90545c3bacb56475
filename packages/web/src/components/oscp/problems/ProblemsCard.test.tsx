// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDetail, ProblemView } from '../../../api/types';
import { renderConsole } from '../../../testing/render';
import { ProblemsCard } from './ProblemsCard';

afterEach(cleanup);

const problem = (over: Partial<ProblemView>): ProblemView => ({
  kind: 'DELIVERY',
  subject: 'Heartbeat',
  at: '2026-03-02T09:05:00Z',
  attempted: 'Heartbeat to the peer',
  url: 'http://cp.example/oscp/cp/2.0/heartbeat',
  status: '403',
  message: 'invalid token',
  hint: 'The Capacity Provider no longer accepts our credentials (it may have lost its state): use Re-register, or check the credentials configured for it.',
  action: 'REREGISTER',
  firstSeen: '2026-03-02T09:00:00Z',
  lastSeen: '2026-03-02T09:05:00Z',
  count: 12,
  clearedAt: null,
  ...over,
});

const show = (problems: ProblemView[], onReregister?: () => void) =>
  renderConsole(
    <ProblemsCard
      c={{ problems } as ConnectionDetail}
      timeZone="UTC"
      onReregister={onReregister}
    />,
  );

describe('the Problems card', () => {
  it('says there are no open problems when there are none', () => {
    show([]);
    expect(screen.getByTestId('no-open-problems').textContent).toBe('No open problems');
    expect(screen.getByTestId('open-problem-count').textContent).toBe('none open');
    expect(screen.queryByTestId('problem')).toBeNull();
    expect(screen.queryByTestId('cleared-problems')).toBeNull();
  });

  it('lists each open problem with its span, count, latest detail and what to do next', () => {
    show([problem({})]);
    const item = screen.getByTestId('problem');
    expect(item.dataset.open).toBe('true');
    const field = (id: string) => within(item).getByTestId(id).textContent;
    expect(field('problem-title')).toBe('Delivery · Heartbeat');
    expect(field('problem-detail')).toBe('invalid token');
    expect(field('problem-first-seen')).toBe('2 Mar 2026, 09:00:00 UTC');
    expect(field('problem-last-seen')).toBe('2 Mar 2026, 09:05:00 UTC');
    expect(field('problem-count')).toBe('12 times');
    expect(field('problem-status')).toBe('HTTP 403');
    expect(field('problem-hint')).toContain('use Re-register');
    expect(screen.getByTestId('open-problem-count').textContent).toBe('1 open');
  });

  it('lists cleared problems after the open ones, with when they cleared and no hint', () => {
    show([
      problem({ kind: 'LIVENESS', subject: '', count: 1 }),
      problem({ clearedAt: '2026-03-02T09:10:00Z', count: 2 }),
    ]);
    const [open, cleared] = screen.getAllByTestId('problem');
    expect(open!.dataset.kind).toBe('LIVENESS');
    expect(within(open!).getByTestId('problem-title').textContent).toBe('Heartbeats');
    expect(within(open!).getByTestId('problem-count').textContent).toBe('once');
    expect(screen.queryByTestId('no-open-problems')).toBeNull();

    const clearedList = screen.getByTestId('cleared-problems');
    expect(within(clearedList).getByTestId('problem')).toBe(cleared);
    expect(cleared!.dataset.open).toBe('false');
    expect(within(cleared!).getByTestId('problem-status').textContent).toBe(
      '2 Mar 2026, 09:10:00 UTC',
    );
    expect(within(cleared!).getByTestId('problem-count').textContent).toBe('twice');
    expect(within(cleared!).queryByTestId('problem-hint')).toBeNull();
  });

  it('says “No open problems” above problems that have all cleared', () => {
    show([problem({ clearedAt: '2026-03-02T09:10:00Z' })]);
    expect(screen.getByTestId('no-open-problems')).toBeTruthy();
    expect(within(screen.getByTestId('cleared-problems')).getAllByTestId('problem')).toHaveLength(
      1,
    );
  });

  it('offers Re-register beside a hint that points to it, when the user may re-register', () => {
    const reregister = vi.fn();
    show(
      [
        problem({}),
        problem({ kind: 'LIVENESS', subject: '', action: null, hint: 'Check that it is up.' }),
        problem({ subject: 'Register', clearedAt: '2026-03-02T09:10:00Z' }),
      ],
      reregister,
    );
    const [credentials, liveness] = screen.getAllByTestId('problem');
    fireEvent.click(within(credentials!).getByTestId('problem-reregister'));
    expect(reregister).toHaveBeenCalledOnce();
    expect(within(liveness!).queryByTestId('problem-reregister')).toBeNull();
    // A cleared problem offers nothing: its hint is not shown.
    expect(
      within(screen.getByTestId('cleared-problems')).queryByTestId('problem-reregister'),
    ).toBeNull();
  });

  it('offers no button where the user may not re-register (a viewer, a disabled connection)', () => {
    show([problem({})]);
    expect(screen.getByTestId('problem-hint').textContent).toContain('use Re-register');
    expect(screen.queryByTestId('problem-reregister')).toBeNull();
  });
});
