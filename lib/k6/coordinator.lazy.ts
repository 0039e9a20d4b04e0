/**
 * What only k6's coordinating VU runs: planning the exported options (read from the init of VU 0),
 * the fixed ILP pair handed to the load VUs through setup(), and the end-of-test summary
 * (result JSON, text, JUnit, verdict) of handleSummary.
 *
 * A lazy unit (build/lazy-units.ts): in the bundle its code, and the planning, summary and verdict
 * modules only it imports, is evaluated on the first call, so the load VUs (every VU with
 * `__VU >= 1`) never create those functions. It exchanges plain data only.
 */

import type { RunConfig, ScenarioKind } from '../config/run-config.ts';
import { type PlannedOptions, planOptions } from '../plan/options.ts';
import type { CryptoProvider } from '../protocol/crypto.ts';
import { type FixedIlp, fixedIlpPair } from '../protocol/material.ts';
import { summaryOutputs } from '../summary/outputs.ts';
import type { RunInfo } from '../summary/result.ts';
import { verdictHook } from '../verdict/hook.ts';

export function plannedOptions(config: RunConfig): PlannedOptions {
  return planOptions(config);
}

/** The fixed-mode ILP pair, computed and checked once for the whole run. */
export function checkedFixedIlp(config: RunConfig, crypto: CryptoProvider): FixedIlp {
  return fixedIlpPair({ crypto, secret: config.ilpSecret });
}

/** handleSummary's files (stdout, result JSON, text, JUnit), verdict included. */
export function summaryOutputFiles(
  data: unknown,
  kind: ScenarioKind,
  config: RunConfig,
  runner: number | undefined,
): Record<string, string> {
  const planned = planOptions(config);
  const run: RunInfo = {
    scenario: kind,
    profile: config.profile,
    mode: kind === 'transfers' ? config.mode : kind,
    api: config.api,
    fspiopVersion: config.fspiopVersion,
    targetTps: config.targetTps,
    parallelism: config.parallelism,
    runner,
    loadLengthMs: planned.loadLengthMs,
    timeoutMs: config.timeoutMs,
    vus: planned.vuPlan.vus,
  };
  return summaryOutputs(data, run, config.resultsDir, verdictHook(config.expectedLatencyMs)).outputs;
}
