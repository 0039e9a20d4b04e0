/**
 * What only k6's coordinating VU runs: the run plan (lib/plan/run-plan.ts; its options are what
 * the scenario exports, read from the init of VU 0) and the end-of-test summary (result JSON,
 * text, JUnit, verdict) of handleSummary. (The fixed ILP packets, also the coordinator's, are
 * computed by eager code, lib/flows/plan.ts: the load VUs have that code anyway.)
 *
 * A lazy unit (build/lazy-units.ts): in the bundle its code, and the planning, summary and verdict
 * modules only it imports, is evaluated on the first call, so the load VUs (every VU with
 * `__VU >= 1`) never create those functions. It exchanges plain data only. The plan is computed
 * once per VU that asks for it.
 */
import type { RunConfig, ScenarioKind } from '../config/run-config.ts';
import { planRun, type RunPlan } from '../plan/run-plan.ts';
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
    expectedLatencyMs: plan.vus.holdMs,
  };
  const ctx = verdictContext(plan);
  const results = { dir: config.resultsDir, note: config.resultsNote };
  return summaryOutputs(data, run, results, (d) => computeVerdict(d, ctx)).outputs;
}
