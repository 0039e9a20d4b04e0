import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { EXIT, runPlanCli } from '../../cli/plan.ts';
import { compileTestRunValidator, crdAvailable } from '../../planner/manifests/crd-schema.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runPlanCli(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('plan CLI', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'mlk6-plan-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('plan --tps 1000 prints its arithmetic and a TestRun', () => {
    const r = run(['--tps', '1000']);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toContain('VUs = ceil(1000/s × 0.05 s × headroom 2) = ceil(100) = 100');
    expect(r.out).toContain('parallelism: 1 (the smallest that fits the runner size)');
    expect(r.out).toContain('kind: TestRun');
  });

  it('--out writes manifests that pass the CRD schema', () => {
    const r = run([
      '--tps',
      '1000',
      '--mode',
      'wait',
      '--latency-ms',
      '800',
      '--runner-cpu',
      '1',
      '--runner-memory',
      '2Gi',
      '--out',
      work,
    ]);
    expect(r.code, r.err).toBe(EXIT.ok);
    const dir = path.join(work, 'mojaloop-load');
    for (const f of ['testrun.yaml', 'pdb.yaml', 'kustomization.yaml'])
      expect(existsSync(path.join(dir, f))).toBe(true);
    const doc = YAML.parse(readFileSync(path.join(dir, 'testrun.yaml'), 'utf8'));
    const env = Object.fromEntries(
      doc.spec.runner.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env.MODE).toBe('wait');
    expect(env.EXPECTED_LATENCY_MS).toBe('800');
    expect(Number(env.PARALLELISM)).toBe(doc.spec.parallelism);
    expect(doc.spec.parallelism).toBeGreaterThan(1);
    if (crdAvailable()) expect(compileTestRunValidator()(doc)).toEqual([]);
    expect(r.err).toContain('kubectl apply --server-side -k');
  });

  it('--json prints a machine-readable plan', () => {
    const r = run(['--tps', '1000', '--parallelism', '4', '--json']);
    expect(r.code).toBe(EXIT.ok);
    const plan = JSON.parse(r.out);
    expect(plan.runners.map((x: { share: string }) => x.share)).toEqual(['1/4', '1/4', '1/4', '1/4']);
  });

  it('refuses an uneven plan with the reason and the arithmetic, exit 3', () => {
    const r = run(['--tps', '1000', '--parallelism', '4', '--vus', '10']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toContain('plan refused');
    expect(r.err).toContain('3/3/2/2');
    expect(r.err).toContain('rate 1000 × 2/10 = 200/s');
  });

  it.each([
    [['--tps', 'abc'], '--tps: expected a positive number'],
    [['--tps=-5'], '--tps: expected a positive number'],
    [['--tps', '-5'], '--tps: expected a value'],
    [['--tps', '1000', '--tps', '2000'], '--tps is given twice ("1000", then "2000"); give it once'],
    [['--mode', 'fast'], '--mode: expected one of collect, wait, e2e, outbound'],
    [['--profile', 'stress'], '--profile: expected one of smoke, load, ramp, soak, breakpoint'],
    [['--duration', '60'], '--duration: expected a k6 duration such as 30s, 10m or 1h30m'],
    [['--latency-ms', '0'], '--latency-ms: expected a positive number'],
    [['--headroom', '0.5'], '--headroom: expected a number from 1 to 100 such as 1.5, got "0.5"'],
    [['--headroom', '200'], '--headroom: expected a number from 1 to 100 such as 1.5, got "200"'],
    [['--parallelism', '0'], '--parallelism: expected an integer 1..1024'],
    [['--parallelism', '2.5'], '--parallelism: expected an integer 1..1024'],
    [['--vus', 'many'], '--vus: expected a positive integer'],
    [['--runner-cpu', '2 cores'], '--runner-cpu: expected a CPU quantity such as 2, 1.5 or 500m'],
    [['--runner-memory', '4GB'], '--runner-memory: expected a memory quantity such as 4Gi, 512Mi or 1G'],
    [['--image', 'grafana/k6:latest'], '--image: expected a pinned image'],
    [['--image', 'grafana/k6'], '--image: expected a pinned image'],
    [['--hub-url', 'ftp://x'], '--hub-url: expected an http(s) URL'],
    [['--name', 'Bad_Name'], '--name: expected a Kubernetes name'],
    [['--name', 'a'.repeat(64)], '--name: expected a Kubernetes name'],
    [['--name', `a${'b'.repeat(54)}`], "the operator's Service name"],
    [['--frobnicate'], 'unknown flag --frobnicate'],
    [['--tps'], '--tps needs a value'],
    [['deploy'], 'unknown command "deploy"'],
  ])('%j → exit 2 naming the flag', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(message);
  });

  it('exits non-zero from a real process on a bad flag (npm run plan path)', () => {
    const res = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['cli/plan.ts', '--runner-memory', 'lots'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(res.status).toBe(EXIT.usage);
    expect(res.stderr).toContain('--runner-memory: expected a memory quantity');
  });

  it('bundle names the missing bundle when dist/ is not built', () => {
    const r = run(['bundle', '--dist', path.join(work, 'no-dist')]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toMatch(/bundle not found; run npm run build first/);
  });
});
