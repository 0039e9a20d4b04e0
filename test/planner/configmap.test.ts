/**
 * The script ConfigMap of each manifest stays under the Kubernetes object limit of 1 MiB
 * (k6-operator issues #61/#69). Uses dist/ when built, else bundles in memory through build/.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { bundleOf } from '../../lib/plan/modes.ts';
import { OPERATOR_DIR } from '../../planner/manifests/generate.ts';
import { PRESETS } from '../../planner/manifests/presets.ts';
import { buildScriptConfigMap } from '../../planner/manifests/testrun.ts';

const ROOT = path.join(OPERATOR_DIR, '..');
const MiB = 1024 * 1024;
/** `kubectl apply` without --server-side stores the whole object in an annotation capped at 256 KiB. */
const CLIENT_SIDE_APPLY_LIMIT = 256 * 1024;

async function loadBundles(): Promise<{ bundles: Map<string, string>; source: string } | { skip: string }> {
  const names = ['transfers', 'e2e', 'outbound'];
  const dist = path.join(ROOT, 'dist');
  if (names.every((n) => existsSync(path.join(dist, `${n}.js`)))) {
    return {
      bundles: new Map(names.map((n) => [n, readFileSync(path.join(dist, `${n}.js`), 'utf8')])),
      source: 'dist/',
    };
  }
  if (!existsSync(path.join(ROOT, 'build', 'bundle.ts')) || !existsSync(path.join(ROOT, 'scenarios'))) {
    return { skip: 'dist/ not built and build/bundle.ts or scenarios/ missing' };
  }
  const { bundleEntries, findEntries } = (await import(
    '../../build/bundle.ts'
  )) as typeof import('../../build/bundle.ts');
  const entries = (await findEntries(path.join(ROOT, 'scenarios'))).filter((e) =>
    names.includes(path.basename(e, '.ts')),
  );
  if (entries.length < names.length)
    return { skip: `scenarios/ has ${entries.length} of the ${names.length} entry points yet` };
  const result = await bundleEntries(entries, path.join(ROOT, 'dist'), false);
  const built = new Map(result.bundles.map((b) => [b.name, b.code]));
  if (!names.every((n) => built.has(n))) {
    return {
      skip: `the scenarios do not build yet: ${result.violations.map((v) => `${v.bundle}: ${v.detail}`).join('; ')}`,
    };
  }
  return { bundles: built, source: 'build/ (in memory)' };
}

const loaded = await loadBundles();
const skip = 'skip' in loaded ? loaded.skip : undefined;

describe.skipIf(skip !== undefined)(`script ConfigMaps (${'source' in loaded ? loaded.source : ''})`, () => {
  if (!('bundles' in loaded)) return;
  for (const preset of PRESETS) {
    it(`${preset.dir}: the ConfigMap with all its keys is under 1 MiB`, () => {
      const bundle = bundleOf(preset.plan.mode);
      const code = loaded.bundles.get(bundle)!;
      const cm = buildScriptConfigMap(preset.deploy.name, { [`${bundle}.js`]: code });
      const dataBytes = Object.entries(cm.data as Record<string, string>).reduce(
        (a, [k, v]) => a + Buffer.byteLength(k) + Buffer.byteLength(v),
        0,
      );
      const objectBytes = Buffer.byteLength(YAML.stringify(cm));
      expect(dataBytes).toBeLessThan(MiB);
      expect(objectBytes).toBeLessThan(MiB);
      if (objectBytes > CLIENT_SIDE_APPLY_LIMIT) {
        console.warn(
          `${preset.dir}: ConfigMap is ${objectBytes} bytes: use kubectl apply --server-side (docs/cluster.md)`,
        );
      }
    });
  }
});

describe.skipIf(skip === undefined)('script ConfigMaps', () => {
  it(`skipped: ${skip}`, () => {});
});
