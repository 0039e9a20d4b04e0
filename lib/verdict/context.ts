import type { RunPlan } from '../plan/run-plan.ts';
import type { VerdictContext } from './verdict.ts';

/** The in-run verdict's context from the run plan: what the run was planned to do. */
export function verdictContext(plan: RunPlan): VerdictContext {
  return {
    targetTps: plan.targetTps,
    parallelism: plan.parallelism,
    durationS: plan.load.lengthMs > 0 ? plan.load.lengthMs / 1000 : undefined,
    vus: plan.vus.total,
    profile: plan.profile,
    expectedLatencyMs: plan.vus.holdMs,
  };
}
