/**
 * RESULTS_DIR in the generated TestRuns: k6 checks it in the init context (lib/config/results-dir.ts),
 * and the initializer's `k6 archive`/`k6 inspect` evaluates that init context too, without the
 * results volume. Each pod's env is replayed through the config parser with a filesystem that has
 * only what the pod mounts.
 */
import { describe, expect, it } from 'vitest';
import { openProbe } from '../../lib/config/results-dir.ts';
import { parseRunConfig } from '../../lib/config/run-config.ts';
import { bundleOf } from '../../lib/plan/modes.ts';
import { PRESETS } from '../../planner/manifests/presets.ts';
import { buildTestRun } from '../../planner/manifests/testrun.ts';
import { makePlan } from '../../planner/planner.ts';

type Env = Array<{ name: string; value?: string }>;

/** k6's open() on a pod whose only directories are `dirs` (its messages: docs/facts/k6.md#summary-files). */
const podFs = (dirs: string[]) =>
  openProbe((p: string) => {
    if (dirs.includes(p)) throw new Error(`open() can't be used with directories, path: "${p}"`);
    throw new Error(`stat ${p}: no such file or directory`);
  });

const envOf = (env: Env): Record<string, string> =>
  Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));

describe('RESULTS_DIR in the TestRuns', () => {
  it.each([
    ...PRESETS.map((p) => [p.dir, p] as const),
    // with a results volume (--results-pvc)
    ...PRESETS.slice(0, 2).map(
      (p) =>
        [`${p.dir} + results volume`, { ...p, deploy: { ...p.deploy, resultsPvc: 'k6-results' } }] as const,
    ),
  ])(
    '%s: runners write to the results volume or to stdout only; the initializer never checks a directory',
    (_, preset) => {
      const plan = makePlan(preset.plan);
      const tr = buildTestRun(plan, preset.deploy) as {
        spec: { runner: { env: Env }; initializer: { env: Env } };
      };
      const runner = envOf(tr.spec.runner.env);
      const init = envOf(tr.spec.initializer.env);
      const mount = preset.deploy.resultsPvc ? '/results' : undefined;
      expect(runner.RESULTS_DIR).toBe(mount ?? 'none');
      expect(init.RESULTS_DIR).toBe('none');
      const kind = bundleOf(plan.mode);
      // The initializer mounts no volume; a runner has the results volume when there is one.
      expect(() => parseRunConfig(kind, init, undefined, podFs([]))).not.toThrow();
      const config = parseRunConfig(kind, runner, undefined, podFs(mount ? [mount] : []));
      expect(config.resultsDir).toBe(mount);
    },
  );
});
