/**
 * The assertions every conformance case makes about a kit run against the Testing Toolkit. They are
 * soft (vitest `expect.soft`): a case reports every way it differs from the correct behaviour, not
 * only the first, and each message says which property broke.
 */
import { expect } from 'vitest';
import { type KitRun, plain, refusals, type TtkView, tally } from './ttk-kit.ts';

/** The first error body TTK sent among these callbacks, for messages. */
export function firstErrorBody(view: TtkView): string {
  for (const cbs of view.callbacks.values()) {
    const e = cbs.find((c) => c.path.endsWith('/error'));
    if (e) return JSON.stringify(e.body).slice(0, 300);
  }
  return '(none)';
}

/**
 * - every request the kit sent was accepted synchronously (202);
 * - the kit counts each transfer exactly as TTK decided it (committed, or rejected with TTK's code);
 * - the accounting balances (sent = committed + rejected + timed out) with nothing timed out;
 * - TTK committed every transfer, and the kit counted every one committed;
 * - every outcome carries its end-to-end latency.
 */
export function expectConformingRun(run: KitRun, view: TtkView, count: number): void {
  expect.soft(refusals(run), 'every request is accepted synchronously (202)').toEqual([]);
  expect.soft(plain(run.kit), 'the kit counts each transfer as TTK decided it').toEqual(plain(view.decided));
  const a = run.accounting;
  expect
    .soft(
      { sent: a.sent, balanced: a.balanced, timedOut: a.timedOut },
      `the accounting balances with nothing timed out (${a.equation})`,
    )
    .toEqual({ sent: count, balanced: true, timedOut: 0 });
  expect
    .soft(
      tally(view.decided.values()),
      `TTK committed every transfer (first error callback: ${firstErrorBody(view)})`,
    )
    .toEqual({ COMMITTED: count });
  expect
    .soft(
      { committed: a.committed, rejected: a.rejected, rejectedByCode: a.rejectedByCode },
      'the kit counts every transfer committed',
    )
    .toEqual({ committed: count, rejected: 0, rejectedByCode: {} });
  expect.soft(run.latencyUnknown, 'every outcome has an end-to-end latency').toBe(0);
}
