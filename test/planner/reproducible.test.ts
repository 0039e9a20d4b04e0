/** The checked-in manifests and dashboard are exactly what the generator produces today. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  formatForRepo,
  MANIFESTS_DIR,
  OPERATOR_DIR,
  readCheckedIn,
  renderAll,
} from '../../planner/manifests/generate.ts';
import { PRESETS } from '../../planner/manifests/presets.ts';

const REGEN = 'run `npm run plan -- regenerate` and commit the result';

describe('regenerating the checked-in files', () => {
  const rendered = renderAll();
  const onDisk = readCheckedIn(rendered);

  it('covers smoke, load, soak, ramp and breakpoint', () => {
    expect(PRESETS.map((p) => p.dir).sort()).toEqual(['breakpoint', 'load', 'ramp', 'smoke', 'soak']);
  });

  it('yields every manifest byte for byte', () => {
    for (const [rel, text] of Object.entries(rendered)) {
      if (!rel.endsWith('.yaml')) continue;
      expect(onDisk[rel], `${rel} is missing; ${REGEN}`).toBeDefined();
      expect(onDisk[rel] === text, `${rel} differs from the generator's output; ${REGEN}`).toBe(true);
    }
  });

  it('yields the dashboard byte for byte (after the repo formatter)', () => {
    const rel = 'grafana/mojaloop-k6.json';
    expect(onDisk[rel], `${rel} is missing; ${REGEN}`).toBeDefined();
    expect(JSON.parse(onDisk[rel]!)).toEqual(JSON.parse(rendered[rel]!));
    expect(formatForRepo(rel, rendered[rel]!) === onDisk[rel], `${rel} differs; ${REGEN}`).toBe(true);
  });

  it('leaves no stray files in the manifest directories (scripts/ copies aside)', () => {
    for (const dir of readdirSync(MANIFESTS_DIR)) {
      const files = readdirSync(path.join(MANIFESTS_DIR, dir)).filter((f) => f !== 'scripts');
      const expected = Object.keys(rendered)
        .filter((rel) => rel.startsWith(`manifests/${dir}/`))
        .map((rel) => rel.slice(`manifests/${dir}/`.length));
      expect(files.sort(), `k6-operator/manifests/${dir}`).toEqual(expected.sort());
    }
  });

  it('is deterministic (two renderings are identical)', () => {
    expect(renderAll()).toEqual(rendered);
  });

  it("docs/cluster.md's profile table matches the presets", () => {
    const doc = readFileSync(path.join(OPERATOR_DIR, '..', 'docs', 'cluster.md'), 'utf8');
    for (const preset of PRESETS) {
      const row = doc.split('\n').find((l) => l.split('|')[1]?.trim() === `\`${preset.dir}\``);
      expect(row, `no row for ${preset.dir} in docs/cluster.md`).toBeDefined();
      const testrun = YAML.parse(rendered[`manifests/${preset.dir}/testrun.yaml`]!);
      const limits = testrun.spec.runner.resources.limits;
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells[4], `${preset.dir}: runners`).toBe(String(testrun.spec.parallelism));
      expect(cells[7], `${preset.dir}: resources`).toBe(`${limits.cpu} / ${limits.memory}`);
      expect(cells[8] === '`post`', `${preset.dir}: cleanup`).toBe(testrun.spec.cleanup === 'post');
    }
  });

  it('the bundle copies are gitignored', () => {
    const gitignore = readFileSync(path.join(OPERATOR_DIR, '..', '.gitignore'), 'utf8');
    expect(gitignore).toMatch(/^\/k6-operator\/\*\*\/scripts\/\*\.js$/m);
  });
});
