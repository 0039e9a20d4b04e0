/** The validity gate refuses inconsistent runs: missing runners, counts that do not reconcile, a ledger that disagrees. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalysisReport, analyze } from '../../analyzer/index.ts';
import { LedgerError, parseLedger } from '../../analyzer/ledger.ts';
import { writeSyntheticRun } from '../support/traces/k6-output.ts';
import type { SynthSpec, SynthTruth } from '../support/traces/k6-run.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('analyzer-gate-');
afterAll(() => tmp.cleanup());

const spec: SynthSpec = {
  seed: 9,
  durationSec: 40,
  rate: 60,
  runners: 3,
  latency: (_t, r) => 30 + 20 * r(),
  rejectShare: 0.05,
  timeoutShare: 0.02,
  extraMetrics: false,
};

let files: string[] = [];
let truth: SynthTruth;

beforeAll(async () => {
  ({ files, truth } = await writeSyntheticRun(spec, tmp.dir, { format: 'json' }));
}, 60_000);

function check(r: AnalysisReport, name: string) {
  return r.gate.checks.find((c) => c.name === name);
}

describe('gate', () => {
  it('passes a complete run (then only the figures decide the verdict)', async () => {
    const r = await analyze(files, { runners: 3, maxErrorRate: 0.1, maxOver1sShare: 0.05 });
    expect(r.gate.valid).toBe(true);
    expect(check(r, 'runners')!.status).toBe('pass');
    expect(check(r, 'counts')!.detail).toContain(`sent ${truth.counts.sent}`);
    // 7% of the transfers fail by construction (5% rejected with 4001, 2% timed out): committed
    // stays 7% under the schedule, and the rejections decide the verdict.
    expect(r.verdict.status).toBe('REJECTED');
    expect(r.verdict.evidence.join('\n')).toMatch(
      /rejected \(5\.\d+%\): 4001 Payer FSP insufficient liquidity ×\d+/,
    );
    expect(r.detections.map((d) => d.kind)).toEqual(['plateau_below_target']);
  });

  it('refuses a run with a runner missing (--runners)', async () => {
    const r = await analyze(files.slice(0, 2), { runners: 3 });
    expect(r.gate.valid).toBe(false);
    expect(check(r, 'runners')).toMatchObject({ status: 'fail' });
    expect(check(r, 'runners')!.detail).toMatch(/2 runner\(s\) found, 3 expected/);
    expect(r.verdict.status).toBe('INVALID');
    expect(r.verdict.nextSteps.join(' ')).toMatch(/runner is missing/);
  });

  it('refuses a gap in instance_id 1..max even without --runners', async () => {
    const r = await analyze([files[0]!, files[2]!]);
    expect(check(r, 'runners')).toMatchObject({ status: 'fail' });
    expect(check(r, 'runners')!.detail).toMatch(/instance_id 2 missing/);
    expect(r.verdict.status).toBe('INVALID');
  });

  const withoutFirst = (metric: string, n: number, name: string): string => {
    const lines = readFileSync(files[1]!, 'utf8').split('\n');
    let removed = 0;
    const kept = lines.filter((l) => {
      if (removed < n && l.startsWith(`{"metric":"${metric}"`)) {
        removed++;
        return false;
      }
      return true;
    });
    const out = join(tmp.dir, name);
    writeFileSync(out, kept.join('\n'));
    return out;
  };

  it('refuses more outcomes than transfers sent, naming the difference and the runner', async () => {
    const broken = withoutFirst('ml_transfers_sent', 7, 'broken-2.json');
    const r = await analyze([files[0]!, broken, files[2]!], { runners: 3 });
    expect(check(r, 'counts')).toMatchObject({ status: 'fail' });
    expect(check(r, 'counts')!.detail).toMatch(/7 outcomes too many/);
    expect(check(r, 'counts')!.detail).toMatch(/instance_id=2/);
    expect(r.verdict.status).toBe('INVALID');
  });

  it('counts outcomes that never arrived as timed out, as the kit summary does', async () => {
    const lossy = withoutFirst('ml_transfers_committed', 7, 'lossy-2.json');
    const r = await analyze([files[0]!, lossy, files[2]!], { runners: 3 });
    const t = truth.counts;
    expect(check(r, 'counts')).toMatchObject({ status: 'pass' });
    expect(check(r, 'counts')!.detail).toMatch(/7 never arrived within the run/);
    expect(r.full.counts.neverArrived).toBe(7);
    expect(r.full.counts.timedOut).toBe(t.timedOut + 7);
    expect(r.full.counts.committed).toBe(t.committed - 7);
    expect(r.runners.find((x) => x.instanceId === '2')!.counts.neverArrived).toBe(7);
  });

  it('refuses a runner that stops early (its samples end, its transfers never finish)', async () => {
    const dir = tempDir('analyzer-gate-stop-');
    const { files: f } = await writeSyntheticRun({ ...spec, runnerStopsAt: { 2: 20 } }, dir.dir, {
      format: 'json',
    });
    const r = await analyze(f, { runners: 3 });
    dir.cleanup();
    expect(check(r, 'runner_coverage')).toMatchObject({ status: 'fail' });
    expect(check(r, 'runner_coverage')!.detail).toMatch(/instance_id=2 stops .* before the end/);
    expect(r.verdict.status).toBe('INVALID');
  });

  it('checks the simulator ledger: agreeing, and disagreeing', async () => {
    const t = truth.counts;
    const agree = parseLedger({ committed: t.committed, rejected: { '4001': t.rejected }, timedOut: 0 });
    const ok = await analyze(files, { ledger: agree });
    expect(check(ok, 'ledger')).toMatchObject({ status: 'pass' });
    // A transfer k6 timed out may have committed later at the hub: still consistent.
    const late = parseLedger({ committed: t.committed + t.timedOut, rejected: { '4001': t.rejected } });
    expect(check(await analyze(files, { ledger: late }), 'ledger')!.status).toBe('pass');
    // More commits than k6 could explain, or fewer than k6 saw: refused.
    for (const committed of [t.committed + t.timedOut + 1, t.committed - 1]) {
      const r = await analyze(files, {
        ledger: parseLedger({ committed, rejected: { '4001': t.rejected } }),
      });
      expect(check(r, 'ledger'), String(committed)).toMatchObject({ status: 'fail' });
      expect(r.verdict.status).toBe('INVALID');
    }
    const fewRejects = await analyze(files, {
      ledger: parseLedger({ committed: t.committed, rejected: { '4001': 0 } }),
    });
    expect(check(fewRejects, 'ledger')!.detail).toMatch(/ledger rejected 0 outside/);
  });

  it("reads the simulator's own GET /admin/ledger report", async () => {
    const t = truth.counts;
    const sim = (over: Record<string, unknown> = {}) => ({
      transfers: {
        received: t.sent,
        final: { COMMITTED: t.committed, ABORTED: t.rejected },
        abortedByCode: { '4001': t.rejected },
        inFlight: 0,
        syncRejected: {},
        duplicatePrepare: { resent: 0, ignored: 0, modified: 0 },
        ...over,
      },
      positions: {},
    });
    const ok = await analyze(files, { ledger: parseLedger(sim()) });
    expect(check(ok, 'ledger')).toMatchObject({ status: 'pass' });
    expect(check(ok, 'ledger')!.detail).toMatch(new RegExp(`received ${t.sent}`));
    const stuck = await analyze(files, { ledger: parseLedger(sim({ inFlight: t.timedOut + 1 })) });
    expect(check(stuck, 'ledger')!.detail).toMatch(/still in flight at the hub/);
    const lost = await analyze(files, { ledger: parseLedger(sim({ received: t.sent - t.timedOut - 1 })) });
    expect(check(lost, 'ledger')!.detail).toMatch(/ledger received .* outside k6 accepted/);
    expect(() => parseLedger({ transfers: { final: { COMMITTED: 1 } } })).toThrow(
      /"transfers.final" must be/,
    );
    expect(() =>
      parseLedger({ transfers: { final: { COMMITTED: 1, ABORTED: 1 }, abortedByCode: { '3100': 2 } } }),
    ).toThrow(/adds up to 2, more than final.ABORTED 1/);
  });

  it('refuses inputs of different test runs mixed together', async () => {
    const dir = tempDir('analyzer-gate-mix-');
    const { files: other } = await writeSyntheticRun(
      { ...spec, runners: 1, testrunName: 'another-run', seed: 2 },
      dir.dir,
      {
        format: 'json',
        stem: 'other',
      },
    );
    const r = await analyze([files[0]!, files[1]!, files[2]!, ...other]);
    dir.cleanup();
    expect(check(r, 'testrun')).toMatchObject({ status: 'fail' });
    expect(check(r, 'testrun')!.detail).toMatch(/another-run/);
  });

  it('tolerates malformed lines (warns, counts them) but refuses a file with nothing usable', async () => {
    const withJunk = join(tmp.dir, 'junk-1.json');
    writeFileSync(withJunk, `${readFileSync(files[0]!, 'utf8')}\n{oops\n`);
    const empty = join(tmp.dir, 'empty.json');
    writeFileSync(empty, 'hello\nworld\n');
    const r = await analyze([withJunk, files[1]!, files[2]!]);
    expect(check(r, 'inputs')).toMatchObject({ status: 'warn' });
    expect(check(r, 'inputs')!.detail).toMatch(
      /1 malformed line\(s\) skipped \(first: .*junk-1\.json line \d+: not valid JSON\)/,
    );
    expect(r.gate.valid).toBe(true);
    const r2 = await analyze([...files, empty]);
    expect(check(r2, 'inputs')).toMatchObject({ status: 'fail' });
    expect(check(r2, 'inputs')!.detail).toMatch(/no usable sample in .*empty\.json/);
  });
});

describe('parseLedger', () => {
  it.each([
    [null, /expected a JSON object/],
    [{ rejected: {} }, /"committed" must be a non-negative integer/],
    [{ committed: -1 }, /"committed" must be a non-negative integer/],
    [{ committed: 3, rejected: { '3100': 1.5 } }, /"rejected.3100" must be a non-negative integer/],
    [{ committed: 3, rejected: 'many' }, /"rejected" must be an object/],
    [{ committed: 3, timedOut: 'x' }, /"timedOut" must be a non-negative integer/],
  ])('%j is refused with the field named', (doc, msg) => {
    expect(() => parseLedger(doc, 'l.json')).toThrow(LedgerError);
    expect(() => parseLedger(doc, 'l.json')).toThrow(msg);
  });

  it('accepts a total or per-code rejections', () => {
    expect(parseLedger({ committed: 5, rejected: 2 })).toEqual({ committed: 5, rejected: { all: 2 } });
    expect(parseLedger({ committed: 5, rejected: { '3100': 2 }, timedOut: 1 })).toEqual({
      committed: 5,
      rejected: { '3100': 2 },
      timedOut: 1,
    });
  });
});
