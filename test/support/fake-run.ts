/**
 * Runs a scenario module the way k6 would, with the fake k6 modules: init (module evaluation) in the
 * init context, setup(), iterations of the exec functions in VU context, then handleSummary() over
 * the legacy summary data built from the samples the scenario recorded.
 */
import { vi } from 'vitest';
import { installK6Globals } from '../fakes/k6/globals.ts';
import { k6State, resetK6State } from '../fakes/k6/state.ts';
import { summaryDataOf } from './sim.ts';

export interface ScenarioModule {
  options: { scenarios: Record<string, { exec: string }>; thresholds: Record<string, unknown> };
  setup(): unknown;
  teardown(data: unknown): void;
  handleSummary(data: unknown): Record<string, string>;
  [exec: string]: unknown;
}

export type Loader = () => Promise<unknown>;

/**
 * Evaluates a scenario module in a fresh registry (so its init code runs again) with `env` as __ENV,
 * as VU `vu` (default 0: k6's coordinating VU, which plans the options and runs setup).
 */
export async function loadScenario(
  load: Loader,
  env: Record<string, string>,
  vu = 0,
): Promise<ScenarioModule> {
  resetK6State();
  installK6Globals(env);
  globalThis.__VU = vu;
  vi.resetModules();
  const mod = (await load()) as ScenarioModule;
  return mod;
}

export function runSetup(mod: ScenarioModule): unknown {
  k6State().context = 'setup';
  const data = JSON.parse(JSON.stringify(mod.setup() ?? null));
  k6State().context = 'vu';
  return data;
}

/** Calls an exec function `n` times as iterations of one VU. */
export function iterate(mod: ScenarioModule, exec: string, data: unknown, n: number): void {
  const fn = mod[exec];
  if (typeof fn !== 'function') throw new Error(`the scenario exports no function ${exec}`);
  const s = k6State();
  s.context = 'vu';
  s.scenario.name = exec;
  for (let i = 0; i < n; i++) {
    (fn as (d: unknown) => void)(data);
    s.vu.iterationInInstance++;
    s.scenario.iterationInInstance++;
  }
}

/** As `iterate`, awaiting iterations that return a promise (JWS signing makes them async). */
export async function iterateAsync(
  mod: ScenarioModule,
  exec: string,
  data: unknown,
  n: number,
): Promise<void> {
  const fn = mod[exec];
  if (typeof fn !== 'function') throw new Error(`the scenario exports no function ${exec}`);
  const s = k6State();
  s.scenario.name = exec;
  for (let i = 0; i < n; i++) {
    s.context = 'vu';
    await (fn as (d: unknown) => unknown)(data);
    s.vu.iterationInInstance++;
  }
}

export function runTeardownAndSummary(mod: ScenarioModule, data: unknown): Record<string, string> {
  const s = k6State();
  s.context = 'teardown';
  mod.teardown(data);
  s.context = 'summary';
  return mod.handleSummary(
    summaryDataOf({ samples: s.samples.map((x) => ({ metric: x.metric, value: x.value, tags: x.tags })) }),
  );
}
