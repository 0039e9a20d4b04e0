/**
 * The planner's modes and what each one runs: collect and wait are the `transfers` scenario with
 * `MODE`, e2e and outbound are their own scenarios (docs/ARCHITECTURE.md: one bundle per scenario).
 */
export const PLAN_MODES = ['collect', 'wait', 'e2e', 'outbound'] as const;
export type PlanMode = (typeof PLAN_MODES)[number];

export type BundleName = 'transfers' | 'e2e' | 'outbound';

/** The bundle (dist/<name>.js) a mode runs. */
export function bundleOf(mode: PlanMode): BundleName {
  return mode === 'collect' || mode === 'wait' ? 'transfers' : mode;
}

/** The `MODE` env value, for the transfers scenario only. */
export function modeEnv(mode: PlanMode): 'collect' | 'wait' | undefined {
  return mode === 'collect' || mode === 'wait' ? mode : undefined;
}

/** The mode a run config runs (the transfers scenario's MODE, or the scenario itself). */
export function planModeOf(config: {
  scenario: 'transfers' | 'e2e' | 'outbound';
  mode: 'collect' | 'wait';
}): PlanMode {
  return config.scenario === 'transfers' ? config.mode : config.scenario;
}
