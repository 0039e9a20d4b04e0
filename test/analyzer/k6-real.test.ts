/**
 * Real k6 output: two "runners" (execution segments 0:1/2 and 1/2:1, tagged instance_id 1 and 2
 * like k6-operator does) of a small script that emits the kit's metric names, written as
 * `--out json` and `--out csv` (gzip). The analyzer must read both formats to the same counts,
 * matching k6's own end-of-test summary of each runner.
 * Runs only when K6 names a k6 binary; skipped otherwise.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/index.ts';
import { tempDir } from './helpers.ts';

const K6 = process.env['K6'];
if (!K6) console.warn('[analyzer k6-real test] skipped: set K6=/path/to/k6 to run it');

const SCRIPT = `
import { Counter, Trend, Rate } from 'k6/metrics';
import { sleep } from 'k6';
import exec from 'k6/execution';
const sent = new Counter('ml_transfers_sent');
const committed = new Counter('ml_transfers_committed');
const rejected = new Counter('ml_transfers_rejected');
const e2e = new Trend('ml_transfer_e2e', true);
const lag = new Trend('ml_schedule_lag', true);
const success = new Rate('ml_transfer_success');
export const options = {
  scenarios: { transfers: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '6s', preAllocatedVUs: 10, maxVUs: 10 } },
};
export default function () {
  const t0 = Date.now();
  sent.add(1);
  lag.add(Math.max(0, t0 - (exec.scenario.startTime + exec.scenario.iterationInInstance * 50)));
  sleep(0.02 + Math.random() * 0.03);
  if (exec.scenario.iterationInTest % 10 === 0) {
    rejected.add(1, { error_code: '3100', stage: 'async' });
    success.add(0);
    e2e.add(Date.now() - t0, { outcome: 'rejected' });
  } else {
    committed.add(1);
    success.add(1);
    e2e.add(Date.now() - t0, { outcome: 'committed' });
  }
}
`;

function runK6(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(K6!, args, { cwd, env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe.skipIf(!K6)(`real k6 output${K6 ? '' : ' (skipped: K6 not set)'}`, () => {
  let tmp: ReturnType<typeof tempDir> | undefined;
  afterAll(() => tmp?.cleanup());

  it('JSON and CSV outputs of two runners give the same counts as k6 itself', async () => {
    const work = tempDir('analyzer-k6-');
    tmp = work;
    writeFileSync(join(work.dir, 'probe.js'), SCRIPT);
    const segments = ['0:1/2', '1/2:1'];
    const runs = await Promise.all(
      segments.map((seg, i) =>
        runK6(
          [
            'run',
            '--quiet',
            '--no-color',
            `--execution-segment=${seg}`,
            '--execution-segment-sequence=0,1/2,1',
            '--tag',
            `instance_id=${i + 1}`,
            '--tag',
            'testrun_name=probe',
            '--out',
            `json=runner-${i + 1}.json`,
            '--out',
            `csv=runner-${i + 1}.csv.gz`,
            `--summary-export=summary-${i + 1}.json`,
            'probe.js',
          ],
          work.dir,
        ),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const summaries = [1, 2].map(
      (i) => JSON.parse(readFileSync(join(work.dir, `summary-${i}.json`), 'utf8')).metrics,
    );
    const k6Sent = summaries.map((m) => m['ml_transfers_sent'].count as number);
    const k6Committed = summaries.reduce((s, m) => s + (m['ml_transfers_committed']?.count ?? 0), 0);
    const k6Iterations = summaries.reduce((s, m) => s + m['iterations'].count, 0);

    const json = await analyze(
      [1, 2].map((i) => join(work.dir, `runner-${i}.json`)),
      { runners: 2, targetTps: 40 },
    );
    const csv = await analyze(
      [1, 2].map((i) => join(work.dir, `runner-${i}.csv.gz`)),
      { runners: 2, targetTps: 40 },
    );
    for (const r of [json, csv]) {
      expect(r.flavour).toBe('kit');
      expect(r.inputs.every((f) => f.malformed === 0)).toBe(true);
      expect(r.runners.map((x) => x.instanceId)).toEqual(['1', '2']);
      expect(r.runners.map((x) => x.counts.sent)).toEqual(k6Sent);
      expect(r.full.counts.committed).toBe(k6Committed);
      expect(r.full.counts.iterations).toBe(k6Iterations);
      expect(r.gate.checks.find((c) => c.name === 'counts')!.status).toBe('pass');
      expect(r.full.latency['e2e']!.count).toBe(k6Committed);
      expect(r.run.testruns).toEqual(['probe']);
    }
    expect(csv.full.counts).toEqual(json.full.counts);
    expect(csv.full.outcomes).toEqual(json.full.outcomes);
    // k6's own p95 of the e2e Trend (all outcomes) against the analyzer's committed-only p95: close.
    const k6p95 = summaries.map((m) => m['ml_transfer_e2e']['p(95)'] as number);
    const ours = json.full.latency['e2e']!.p95!;
    expect(ours).toBeGreaterThan(Math.min(...k6p95) * 0.8);
    expect(ours).toBeLessThan(Math.max(...k6p95) * 1.2);
  }, 90_000);
});
