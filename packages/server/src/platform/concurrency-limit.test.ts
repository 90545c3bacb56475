import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit';

/** A piece of work that finishes when the test says so. */
function controlled() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { work: () => done, finish, fail };
}

/** Lets every settled promise's continuations run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most max at once and starts the others in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: number[] = [];
    const pieces = Array.from({ length: 5 }, () => controlled());
    const runs = pieces.map((p, i) =>
      limit.run(async () => {
        started.push(i);
        await p.work();
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect({ active: limit.active, waiting: limit.waiting }).toEqual({ active: 2, waiting: 3 });

    pieces[1]!.finish();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    pieces[0]!.finish();
    pieces[2]!.finish();
    await flush();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    pieces[3]!.finish();
    pieces[4]!.finish();
    await Promise.all(runs);
    expect({ active: limit.active, waiting: limit.waiting }).toEqual({ active: 0, waiting: 0 });
  });

  it('gives the slot back when the work fails, and passes the failure on', async () => {
    const limit = new ConcurrencyLimit(1);
    const failing = controlled();
    const first = limit.run(failing.work);
    let secondRan = false;
    const second = limit.run(async () => {
      secondRan = true;
    });
    failing.fail(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    await second;
    expect(secondRan).toBe(true);
    expect(limit.active).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow();
  });
});
