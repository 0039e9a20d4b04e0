/**
 * `kubectl kustomize` builds each checked-in manifest directory offline: the bundle copy under
 * scripts/ is inside the kustomization (load restrictor), the generated ConfigMap keeps the name the
 * TestRun refers to, and the built TestRun still passes the CRD schema. Needs kubectl (it embeds
 * kustomize; no cluster is contacted); skipped otherwise.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { generatorFiles } from '../../planner/manifests/bundle.ts';
import { compileTestRunValidator, crdAvailable } from '../../planner/manifests/crd-schema.ts';
import { MANIFESTS_DIR, OPERATOR_DIR } from '../../planner/manifests/generate.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML/JSON documents are walked freely in assertions
type Doc = any;

const kubectl = process.env.KUBECTL ?? 'kubectl';
const probe = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
const hasKubectl = probe.status === 0;
const DIST = path.join(OPERATOR_DIR, '..', 'dist');

describe.skipIf(!hasKubectl)('kubectl kustomize on the checked-in manifests', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'mlk6-kustomize-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const validate = crdAvailable() ? compileTestRunValidator() : undefined;

  for (const dir of readdirSync(MANIFESTS_DIR).sort()) {
    it(`${dir} builds, and the TestRun finds its ConfigMap`, () => {
      const copy = path.join(work, dir);
      cpSync(path.join(MANIFESTS_DIR, dir), copy, { recursive: true });
      // The bundle (or a stand-in when dist/ is not built) where the generator expects it.
      const files = generatorFiles(readFileSync(path.join(copy, 'kustomization.yaml'), 'utf8'));
      expect(files.length).toBe(1);
      for (const { key, file } of files) {
        mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
        const real = path.join(DIST, key);
        writeFileSync(
          path.join(copy, file),
          existsSync(real) ? readFileSync(real) : 'export default function () {}\n',
        );
      }
      const res = spawnSync(kubectl, ['kustomize', copy], { encoding: 'utf8', timeout: 60_000 });
      expect(res.status, res.stderr).toBe(0);
      const docs = YAML.parseAllDocuments(res.stdout).map((d) => d.toJSON() as Doc);
      const kinds = docs.map((d) => d.kind).sort();
      expect(kinds).toEqual(['ConfigMap', 'PodDisruptionBudget', 'TestRun']);
      const testRun = docs.find((d) => d.kind === 'TestRun')!;
      const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
      expect(configMap.metadata.name).toBe(testRun.spec.script.configMap.name);
      expect(Object.keys(configMap.data)).toEqual([testRun.spec.script.configMap.file]);
      const pdb = docs.find((d) => d.kind === 'PodDisruptionBudget')!;
      expect(pdb.spec.selector.matchLabels.k6_cr).toBe(testRun.metadata.name);
      if (validate) expect(validate(testRun)).toEqual([]);
    });
  }

  it('refuses a bundle path outside the kustomization (load restrictor), as documented', () => {
    const copy = path.join(work, 'outside');
    mkdirSync(copy, { recursive: true });
    writeFileSync(path.join(work, 'bundle.js'), 'export default function () {}\n');
    writeFileSync(
      path.join(copy, 'kustomization.yaml'),
      'configMapGenerator:\n  - name: x\n    files:\n      - t.js=../bundle.js\n',
    );
    const res = spawnSync(kubectl, ['kustomize', copy], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/security|outside|not in or below/i);
  });
});

describe.skipIf(hasKubectl)('kubectl kustomize on the checked-in manifests', () => {
  it(`skipped: ${kubectl} not found (set KUBECTL to a kubectl binary)`, () => {});
});
