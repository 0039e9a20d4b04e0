import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../planner/manifests/presets.ts';
import { buildTestRun, goMemoryLimit } from '../../planner/manifests/testrun.ts';
import { makePlan } from '../../planner/planner.ts';
import { parseMemory } from '../../planner/quantity.ts';

type Env = Array<{ name: string; value?: string }>;
interface Pod {
  env: Env;
  resources: { limits: { memory: string } };
}

describe('GOMEMLIMIT on runners', () => {
  it('is 80 % of the memory limit, in MiB', () => {
    expect(goMemoryLimit(256 * 1024 * 1024)).toBe('204MiB');
    expect(goMemoryLimit(4 * 1024 * 1024 * 1024)).toBe('3276MiB');
  });

  it.each(PRESETS.map((p) => [p.dir, p] as const))(
    '%s: set on the runner from its limit, not on the initializer',
    (_, preset) => {
      const tr = buildTestRun(makePlan(preset.plan), preset.deploy) as {
        spec: { runner: Pod; initializer: Pod };
      };
      const runner = tr.spec.runner;
      const limit = parseMemory(runner.resources.limits.memory, 'runner.resources.limits.memory');
      expect(runner.env.find((e) => e.name === 'GOMEMLIMIT')?.value).toBe(goMemoryLimit(limit));
      expect(tr.spec.initializer.env.some((e) => e.name === 'GOMEMLIMIT')).toBe(false);
    },
  );
});
