import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseArgs } from '../../analyzer/cli.ts';
import { verdictCases } from '../support/traces/catalog.ts';
import { renderGeneratorCase } from '../support/traces/k6-corpus.ts';
import { writeSyntheticRun } from '../support/traces/k6-output.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('analyzer-cli-');
afterAll(() => tmp.cleanup());
let runDir = '';

beforeAll(async () => {
  runDir = join(tmp.dir, 'run');
  mkdirSync(runDir);
  await writeSyntheticRun(
    {
      seed: 4,
      durationSec: 40,
      runners: 2,
      rate: 60,
      latency: (_t, r) => 30 + 10 * r(),
      extraMetrics: false,
    },
    runDir,
    {
      format: 'json',
      gzip: true,
    },
  );
}, 60_000);

function io() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s), isTTY: false },
    },
    out: () => out,
    err: () => err,
  };
}

describe('analyze CLI', () => {
  it.each([
    [[], /no input file given/],
    [['--target-tps', 'lots', 'f.json'], /--target-tps: expected a positive number, got 'lots'/],
    [['--runners', '2.5', 'f.json'], /--runners: expected a positive integer, got '2.5'/],
    [['--format', 'pdf', 'f.json'], /--format: expected md, json or html, got 'pdf'/],
    [['--warmup', 'soon', 'f.json'], /--warmup: expected a k6 duration/],
    [['--tolerance', '2', 'f.json'], /--tolerance: expected a share between 0 and 1/],
    [['--expected-latency-ms', '0', 'f.json'], /--expected-latency-ms: expected a positive number, got '0'/],
    [['--ledger'], /--ledger needs a value/],
    [['--bogus', 'f.json'], /unknown flag --bogus/],
  ])('%j is a usage error (exit 4) naming the flag', async (argv, msg) => {
    const c = io();
    expect(await main(argv as string[], c.io)).toBe(4);
    expect(c.err()).toMatch(msg);
  });

  it('accepts --flag=value and durations', () => {
    expect(parseArgs(['--warmup=90s', '--drain', '1m', '--target-tps=500', 'x.json'])).toMatchObject({
      warmupSec: 90,
      drainSec: 60,
      targetTps: 500,
      files: ['x.json'],
    });
  });

  it('names a missing input file (exit 4)', async () => {
    const c = io();
    expect(await main([join(tmp.dir, 'missing.json')], c.io)).toBe(4);
    expect(c.err()).toMatch(/missing\.json: cannot read: no such file or directory/);
  });

  it('reads a directory of runner files, writes the three reports, exits 0 when HEALTHY', async () => {
    // The kit writes its summary next to the outputs: not k6 output, so skipped with a note.
    writeFileSync(join(runDir, 'transfers-result.json'), JSON.stringify({ run: { targetTps: 60 } }, null, 2));
    const c = io();
    const out = join(tmp.dir, 'out');
    const code = await main([runDir, '--out-dir', out, '--target-tps', '60', '--runners', '2'], c.io);
    expect(c.err()).toMatch(/wrote .*report\.md/);
    expect(c.err()).toMatch(/skipping .*transfers-result\.json: not k6 --out json/);
    expect(code).toBe(0);
    expect(c.out()).toMatch(/^HEALTHY: /);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(json.runners).toHaveLength(2);
    expect(json.target).toMatchObject({ tps: 60, source: 'flag' });
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/## Verdict: HEALTHY/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<canvas|uPlot/);
  });

  it('exits 14 (INVALID) when the gate refuses the run', async () => {
    const c = io();
    expect(await main([runDir, '--runners', '3', '--format', 'json'], c.io)).toBe(14);
    expect(JSON.parse(c.out()).verdict.status).toBe('INVALID');
  });

  it('takes the target and runner count from --run-config, and rejects a bad one', async () => {
    const cfg = join(tmp.dir, 'run-config.json');
    writeFileSync(cfg, JSON.stringify({ config: { targetTps: 60, parallelism: 2 } }));
    const c = io();
    expect(await main([runDir, '--run-config', cfg, '--format', 'json'], c.io)).toBe(0);
    const r = JSON.parse(c.out());
    expect(r.target).toMatchObject({ tps: 60, source: 'flag' });
    expect(r.target.detail).toMatch(/run-config\.json/);
    const bad = join(tmp.dir, 'bad-config.json');
    writeFileSync(bad, JSON.stringify({ targetTps: -1 }));
    const c2 = io();
    expect(await main([runDir, '--run-config', bad], c2.io)).toBe(4);
    expect(c2.err()).toMatch(/"targetTps" must be a positive number/);
  });

  it('judges slow hub answers against the latency the pool was sized for (--expected-latency-ms, --run-config)', async () => {
    // the hub answers in ~2 s where the pool was sized for ~100 ms: the hub's fault (docs/verdicts.md)
    const c0 = verdictCases('hub-holds-vus', 1, 1)[0]!;
    const file = await renderGeneratorCase(c0, tmp.dir, 'slow-hub');
    const planned = String(Math.round(c0.expectedLatencyMs));
    const tps = String(c0.targetTps);
    const c = io();
    expect(
      await main([file, '--target-tps', tps, '--expected-latency-ms', planned, '--format', 'json'], c.io),
    ).toBe(12);
    const r = JSON.parse(c.out());
    expect(r.verdict).toMatchObject({ status: 'HUB-SATURATED', culprit: 'hub' });
    expect(r.verdict.evidence.join('\n')).toMatch(
      new RegExp(`iterations took \\d+ ms \\(p50\\) against the ${planned} ms the VU pool was sized for`),
    );
    expect(r.verdict.nextSteps.join('\n')).toMatch(/EXPECTED_LATENCY_MS=\d+/);
    // the same from the run's result JSON (`run.expectedLatencyMs`)
    const cfg = join(tmp.dir, 'slow-hub-config.json');
    writeFileSync(
      cfg,
      JSON.stringify({ run: { targetTps: c0.targetTps, expectedLatencyMs: c0.expectedLatencyMs } }),
    );
    const c2 = io();
    expect(await main([file, '--run-config', cfg, '--format', 'json'], c2.io)).toBe(12);
    const bad = join(tmp.dir, 'bad-latency.json');
    writeFileSync(bad, JSON.stringify({ expectedLatencyMs: 'fast' }));
    const c3 = io();
    expect(await main([file, '--run-config', bad], c3.io)).toBe(4);
    expect(c3.err()).toMatch(/"expectedLatencyMs" must be a positive number/);
  });

  it('draws a progress bar on stderr with --progress', async () => {
    const c = io();
    await main([runDir, '--progress', '--format', 'json'], c.io);
    expect(c.err()).toMatch(/\r\[[#.]{30}\] +\d+%/);
  });

  it('runs as `npm run analyze` (cli/analyze.ts) with its exit code', () => {
    const out = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'cli/analyze.ts', runDir, '--runners', '2', '--target-tps', '60'],
      {
        encoding: 'utf8',
      },
    );
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/## Verdict: HEALTHY/);
    expect(
      existsSync('package.json') && JSON.parse(readFileSync('package.json', 'utf8')).scripts.analyze,
    ).toBe('tsx cli/analyze.ts');
  });
});
