/**
 * What only k6's coordinating VU runs: the run plan (lib/plan/run-plan.ts; its options are what
 * the scenario exports, read from the init of VU 0), the fixed ILP pair handed to the load VUs
 * through setup(), and the end-of-test summary (result JSON, text, JUnit, verdict) of handleSummary.
 *
 * A lazy unit (build/lazy-units.ts): in the bundle its code, and the planning, summary and verdict
 * modules only it imports, is evaluated on the first call, so the load VUs (every VU with
 * `__VU >= 1`) never create those functions. It exchanges plain data only. The plan is computed
 * once per VU that asks for it.
 */
import type { RunConfig, ScenarioKind } from '../config/run-config.ts';
import { fixedIlpConfig, fixedIlpSpecs } from '../flows/plan.ts';
import { planRun, type RunPlan } from '../plan/run-plan.ts';
import type { CryptoProvider } from '../protocol/crypto.ts';
import { conditionFromFulfilment } from '../protocol/ilp.ts';
import { fixedIlpPairs, type IlpPair } from '../protocol/material.ts';
import { summaryOutputs } from '../summary/outputs.ts';
import type { RunInfo } from '../summary/result.ts';
import { verdictContext } from '../verdict/context.ts';
import { computeVerdict } from '../verdict/verdict.ts';

let planned: { config: RunConfig; plan: RunPlan } | undefined;

/** The plan of this run (computed on the first call; a bad plan throws, which stops k6 in init). */
export function runPlanOf(config: RunConfig): RunPlan {
  if (planned?.config !== config) planned = { config, plan: planRun(config) };
  return planned.plan;
}

/**
 * The fixed-mode ILP pairs, computed (and their hashing checked) once for the whole run: one per pair of the pool
 * (in its order), naming that pair's FSPs and the run's amount. Only packet and condition travel
 * to the load VUs (the setup data is copied into every VU).
 */
export function checkedFixedIlp(config: RunConfig, crypto: CryptoProvider): IlpPair[] {
  return fixedIlpPairs(fixedIlpConfig(config, crypto), fixedIlpSpecs(config)).map((f, i) => {
    // A crypto provider that hashes wrong (k6's native paths) would fail every transfer: stop here.
    if (conditionFromFulfilment(f.fulfilment!, crypto) !== f.condition) {
      throw new Error(`fixed ILP pair ${i}: SHA-256 of its fulfilment is not its condition`);
    }
    return { ilpPacket: f.ilpPacket, condition: f.condition };
  });
}

/** handleSummary's files (stdout, result JSON, text, JUnit), verdict included. */
export function summaryOutputFiles(
  data: unknown,
  kind: ScenarioKind,
  config: RunConfig,
  runner: number | undefined,
): Record<string, string> {
  const plan = runPlanOf(config);
  const run: RunInfo = {
    scenario: kind,
    profile: config.profile,
    mode: plan.mode,
    api: config.api,
    fspiopVersion: config.fspiopVersion,
    targetTps: config.targetTps,
    parallelism: config.parallelism,
    runner,
    loadLengthMs: plan.load.lengthMs,
    timeoutMs: config.timeoutMs,
    vus: plan.vus.total,
  };
  const ctx = verdictContext(plan);
  return summaryOutputs(data, run, config.resultsDir, (d) => computeVerdict(d, ctx)).outputs;
}
