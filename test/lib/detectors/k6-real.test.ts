import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { K6_BUILD_OPTIONS } from '../../../build/esbuild-options.ts';

/**
 * On a real k6 (only when env K6 names a binary): the probe declared and fed inside k6, the
 * threshold sets accepted by k6 (no exit 104), and the verdict computed in handleSummary from k6's
 * own summary data. A healthy arrival-rate run and one starved of VUs.
 */
const K6 = process.env.K6;
const haveK6 = !!K6 && existsSync(K6);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const SCRIPT = (rate: number, maxVUs: number, workS: number, seconds: number) => `
import { sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import { createDetectorProbe } from './lib/k6/detector-probe.ts';
import { thresholdsFor } from './lib/thresholds/sets.ts';
import { computeVerdict } from './lib/verdict/verdict.ts';
import { verdictJson } from './lib/verdict/format.ts';
const scenario = { executor: 'constant-arrival-rate', rate: ${rate}, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: ${maxVUs}, maxVUs: ${maxVUs} };
const e2e = new Trend('ml_transfer_e2e', true);
const success = new Rate('ml_transfer_success');
const over = new Rate('ml_transfer_over_1s');
const sent = new Counter('ml_transfers_sent');
const committed = new Counter('ml_transfers_committed');
const probe = createDetectorProbe({ scenario, sentinels: 2 });
const t = thresholdsFor({ profile: 'load', parallelism: 1, targetTps: ${rate}, durationS: ${seconds} });
export const options = {
  scenarios: { transfers: { ...scenario, exec: 'transfers' } },
  thresholds: t.thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
};
export function transfers() {
  probe.iterationStarted();
  const t0 = Date.now();
  sleep(${workS});
  const ms = Date.now() - t0;
  probe.observeNetwork(ms);
  probe.observeLatency(ms);
  sent.add(1); committed.add(1); success.add(1); over.add(ms > 1000); e2e.add(ms);
  probe.iterationEnded();
}
export function handleSummary(data) {
  const v = computeVerdict(data, { targetTps: ${rate}, parallelism: 1, durationS: ${seconds}, vus: ${maxVUs}, expectedLatencyMs: ${workS * 1000} });
  return { stdout: 'VERDICT ' + JSON.stringify({ verdict: verdictJson(v), metrics: Object.keys(data.metrics) }) + '\\n' };
}
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runK6(
  script: string,
): Promise<{ status: number | null; verdict: Record<string, unknown>; metrics: string[]; stderr: string }> {
  const r = await build({
    ...K6_BUILD_OPTIONS,
    stdin: { contents: script, resolveDir: ROOT, loader: 'ts', sourcefile: 'k6-detectors.ts' },
    absWorkingDir: ROOT,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'k6-detectors-'));
  dirs.push(dir);
  const file = path.join(dir, 'script.js');
  writeFileSync(file, r.outputFiles![0]!.text);
  const run = spawnSync(K6!, ['run', '--quiet', file], { encoding: 'utf8', timeout: 90_000 });
  const line = run.stdout.split('\n').find((l) => l.startsWith('VERDICT '));
  if (!line) throw new Error(`k6 printed no verdict (exit ${run.status}): ${run.stderr.slice(-1500)}`);
  const parsed = JSON.parse(line.slice(8)) as { verdict: Record<string, unknown>; metrics: string[] };
  return { status: run.status, ...parsed, stderr: run.stderr };
}

describe.skipIf(!haveK6)('detectors on a real k6 (set K6=/path/to/k6 to run)', () => {
  it('healthy arrival-rate run: thresholds accepted and passing, probe metrics present, verdict not generator-bound', async () => {
    const r = await runK6(SCRIPT(20, 10, 0.05, 14));
    expect(r.status, r.stderr.slice(-800)).toBe(0);
    for (const m of [
      'ml_schedule_lag',
      'ml_client_overhead',
      'ml_generator_starved',
      'ml_vu_headroom',
      'ml_rate_attainment',
    ]) {
      expect(r.metrics).toContain(m);
    }
    expect(r.verdict.status).not.toBe('GENERATOR-BOUND');
    expect(r.verdict.status).not.toBe('INCONCLUSIVE');
  }, 120_000);

  it('too few VUs: k6 fails the thresholds (exit 99) and the verdict is GENERATOR-BOUND on VUs', async () => {
    const r = await runK6(SCRIPT(40, 2, 0.2, 18));
    expect(r.status).toBe(99);
    expect(r.verdict.status).toBe('GENERATOR-BOUND');
    expect(r.verdict.cause).toBe('vus');
    const g = (r.verdict.signals as { generator: { dropRatio: number; starvedRate: number } }).generator;
    expect(g.dropRatio).toBeGreaterThan(0.5);
    // the detector needs warm-up (5 s) + half its window (5 s) + persistence (3 s) before it fires
    expect(g.starvedRate).toBeGreaterThan(0);
  }, 120_000);
});

describe.skipIf(haveK6)('detectors on a real k6', () => {
  it('skipped: K6 is not set to a k6 binary', () => {
    expect(haveK6).toBe(false);
  });
});
