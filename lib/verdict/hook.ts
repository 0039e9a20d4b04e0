import type { RunResult } from '../summary/result.ts';
import { computeVerdict, type Verdict } from './verdict.ts';

/**
 * The verdict for lib/summary/outputs.ts's `VerdictFn` hook: builds the context from the run
 * info the summary already holds. Pass `expectedLatencyMs` (EXPECTED_LATENCY_MS) when known, so a
 * VU shortage caused by a slowed-down hub is told apart from an undersized pool.
 *
 *     summaryOutputs(data, run, dir, verdictHook(config.expectedLatencyMs))
 */
export function verdictHook(expectedLatencyMs?: number): (result: RunResult, data: unknown) => Verdict {
  return (result, data) =>
    computeVerdict(data, {
      targetTps: result.run.targetTps,
      parallelism: result.run.parallelism,
      durationS: result.run.loadLengthMs > 0 ? result.run.loadLengthMs / 1000 : undefined,
      vus: result.run.vus,
      profile: result.run.profile,
      ...(expectedLatencyMs !== undefined ? { expectedLatencyMs } : {}),
    });
}
