/**
 * This k6 process's runner index: `RUNNER` when set, else derived from the execution segment that
 * k6-operator passes (runner i of N runs `(i-1)/N:i/N`; unsegmented runs are runner 0).
 *
 * `exec.test.options` cannot be read in the init context, so the index is resolved lazily on first
 * use inside a VU (or setup) and cached per VU.
 */
import exec from 'k6/execution';
import { runnerIndexOf } from '../plan/segments.ts';

let cached: number | undefined;

export function runnerIndex(override: number | undefined): number {
  if (override !== undefined) return override;
  if (cached === undefined) {
    const o = exec.test.options as unknown as {
      executionSegment?: string | null;
      executionSegmentSequence?: string | null;
    };
    cached = runnerIndexOf(o.executionSegment ?? null, o.executionSegmentSequence ?? null);
  }
  return cached;
}
