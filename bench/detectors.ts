/**
 * Detector accuracy and cost. `npx tsx bench/detectors.ts` (about a minute; BENCH_N=20 for a
 * quicker, coarser table).
 *
 * 1. The confusion table over the labeled corpus (test/support/traces/catalog.ts): per class and
 *    view, TP/FN rates for the positive classes, FP/TN rates for the negative ones (the same
 *    scoring as the accuracy tests).
 * 2. CPU per sample of each detector, amortised over its periodic analyses, in Node; next to the
 *    wall time of one local HTTP request (Node keep-alive client and server on 127.0.0.1), for scale.
 * 3. With `K6` naming a k6 binary: the same per-sample costs inside k6 (Sobek interprets JS, one
 *    to two orders of magnitude slower than V8's JIT): the figures that matter for a runner.
 * Machines are noisy: compare rows, not runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { K6_BUILD_OPTIONS } from '../build/esbuild-options.ts';
import { GeneratorDetector } from '../lib/detectors/generator.ts';
import { HubDetector } from '../lib/detectors/hub.ts';
import { VuProbe } from '../lib/detectors/vu-probe.ts';
import { GENERATOR_CLASSES, HUB_CLASSES } from '../test/support/traces/catalog.ts';
import { type ClassScore, scoreGenerator, scoreHub } from '../test/support/traces/evaluate.ts';
import { generatorTrace } from '../test/support/traces/generator-trace.ts';
import { latencyTrace } from '../test/support/traces/latency-trace.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function confusion(n: number): ClassScore[] {
  const out: ClassScore[] = [];
  for (const view of ['global', 'per-vu'] as const) {
    for (const cls of HUB_CLASSES) out.push(scoreHub(cls, view, n, 7).score);
  }
  for (const view of ['global', 'per-vu'] as const) {
    for (const cls of GENERATOR_CLASSES) out.push(scoreGenerator(cls, view, n, 7).score);
  }
  return out;
}

function printConfusion(scores: ClassScore[]): void {
  console.log('\nconfusion table (positive: detected with the right label/cause; negative: any alarm)');
  console.log('family     class                  view     n     TP     FN     FP     TN');
  const f = (x: number, on: boolean) => (on ? x.toFixed(3) : '  -  ').padStart(6);
  for (const s of scores) {
    console.log(
      `${s.family.padEnd(10)} ${s.cls.padEnd(22)} ${s.view.padEnd(7)} ${String(s.n).padStart(3)} ${f(s.tp, s.positive)} ${f(s.fn, s.positive)} ${f(s.fp, !s.positive)} ${f(s.tn, !s.positive)}`,
    );
  }
}

interface CostRow {
  name: string;
  nsPerSample: number;
}

/** Times `body` over the pre-generated input, best of `reps`. */
function time(name: string, samples: number, reps: number, body: () => void): CostRow {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    body();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns < best) best = ns;
  }
  return { name, nsPerSample: best / samples };
}

function nodeCosts(): CostRow[] {
  const rows: CostRow[] = [];
  const global = latencyTrace({
    seed: 1,
    durationS: 600,
    ratePerS: 400,
    baseMs: 120,
    noise: { kind: 'lognormal', sigma: 0.3 },
    shape: { kind: 'flat' },
  });
  rows.push(
    time('hub detector, global stream (400/s, 0.5 s buckets)', global.length, 5, () => {
      const d = new HubDetector({ bucketMs: 500 });
      for (let i = 0; i < global.length; i++) d.add(global.t[i]!, global.v[i]!);
    }),
  );
  const vu = latencyTrace({
    seed: 2,
    durationS: 3600,
    ratePerS: 5,
    baseMs: 120,
    noise: { kind: 'lognormal', sigma: 0.3 },
    shape: { kind: 'flat' },
  });
  rows.push(
    time('hub detector, one VU seeing 5/s (1 s buckets)', vu.length, 5, () => {
      const d = new HubDetector({ bucketMs: 1000 });
      for (let i = 0; i < vu.length; i++) d.add(vu.t[i]!, vu.v[i]!);
    }),
  );
  const g = generatorTrace({
    seed: 3,
    durationS: 300,
    schedule: { kind: 'constant', rate: 500 },
    maxVUs: 120,
    networkMs: 100,
    overheadMs: 2,
  });
  rows.push(
    time('generator detector, every iteration (500/s)', g.length, 5, () => {
      const d = new GeneratorDetector({
        schedule: g.schedule,
        scenarioStartMs: g.scenarioStartMs,
        maxVUs: 120,
      });
      for (let i = 0; i < g.length; i++) {
        d.iterationStarted(g.start[i]!, g.iteration[i]!, g.active[i]!);
        d.iterationEnded(g.end[i]!, g.overhead[i]!);
      }
    }),
  );
  const sink = { add: () => {} };
  for (const sentinel of [false, true]) {
    rows.push(
      time(
        `probe per iteration, ${sentinel ? 'sentinel VU (both detectors)' : 'other VU (sampled Trends)'}`,
        g.length,
        5,
        () => {
          const p = new VuProbe(
            {
              sentinel,
              maxVUs: 120,
              schedule: g.schedule,
              scenarioStartMs: g.scenarioStartMs,
              trendEvery: 10,
              hubBucketMs: 500,
            },
            sink,
          );
          for (let i = 0; i < g.length; i++) {
            p.iterationStarted(g.start[i]!, g.iteration[i]!, g.active[i]!);
            p.observeNetwork(g.network[i]!);
            p.observeLatency(g.network[i]!, g.end[i]!);
            p.iterationEnded(g.end[i]!);
          }
        },
      ),
    );
  }
  return rows;
}

/** Mean wall time of one keep-alive HTTP GET against a local Node server. */
async function httpCost(requests = 2000): Promise<number> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
    });
  try {
    for (let i = 0; i < 200; i++) await get();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < requests; i++) await get();
    return Number(process.hrtime.bigint() - t0) / requests;
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The k6 script: the same detector loops on synthetic inputs, timed with Date.now. */
const K6_SCRIPT = `
import { HubDetector } from './lib/detectors/hub.ts';
import { GeneratorDetector } from './lib/detectors/generator.ts';
import { VuProbe } from './lib/detectors/vu-probe.ts';
import { constantSchedule } from './lib/detectors/schedule.ts';
export const options = { iterations: 1, vus: 1 };
function lcg(seed) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296); }
function timed(name, n, body) { const t0 = Date.now(); body(); const ms = Date.now() - t0; return { name, nsPerSample: (ms * 1e6) / n }; }
export default function () {
  const r = lcg(1);
  const out = [];
  const nGlobal = 400 * 300;
  out.push(timed('hub detector, global stream (400/s, 0.5 s buckets)', nGlobal, () => {
    const d = new HubDetector({ bucketMs: 500 });
    for (let i = 0; i < nGlobal; i++) d.add(i * 2.5, 120 * Math.exp(0.3 * (r() + r() + r() - 1.5)));
  }));
  const nVu = 5 * 1800;
  out.push(timed('hub detector, one VU seeing 5/s (1 s buckets)', nVu, () => {
    const d = new HubDetector({ bucketMs: 1000 });
    for (let i = 0; i < nVu; i++) d.add(i * 200, 120 * Math.exp(0.3 * (r() + r() + r() - 1.5)));
  }));
  const sched = constantSchedule({ rate: 500 });
  const nGen = 500 * 120;
  out.push(timed('generator detector, every iteration (500/s)', nGen, () => {
    const d = new GeneratorDetector({ schedule: sched, scenarioStartMs: 0, maxVUs: 120 });
    for (let i = 0; i < nGen; i++) { d.iterationStarted(i * 2 + r(), i, 50); d.iterationEnded(i * 2 + 100, 2); }
  }));
  const sink = { add: () => {} };
  for (const sentinel of [false, true]) {
    out.push(timed('probe per iteration, ' + (sentinel ? 'sentinel VU (both detectors)' : 'other VU (sampled Trends)'), nGen, () => {
      const p = new VuProbe({ sentinel, maxVUs: 120, schedule: sched, scenarioStartMs: 0, trendEvery: 10, hubBucketMs: 500 }, sink);
      for (let i = 0; i < nGen; i++) { p.iterationStarted(i * 2, i, 50); p.observeNetwork(100); p.observeLatency(100 + 10 * r(), i * 2 + 100); p.iterationEnded(i * 2 + 102); }
    }));
  }
  console.log('BENCH ' + JSON.stringify(out));
}
`;

async function k6Costs(k6: string): Promise<CostRow[] | string> {
  const r = await build({
    ...K6_BUILD_OPTIONS,
    stdin: { contents: K6_SCRIPT, resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-detectors.ts' },
    absWorkingDir: ROOT,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-detectors-'));
  try {
    const file = path.join(dir, 'bench.js');
    writeFileSync(file, r.outputFiles![0]!.text);
    const run = spawnSync(k6, ['run', '--quiet', '--log-format=json', file], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
      try {
        const msg = (JSON.parse(line) as { msg?: string }).msg;
        if (msg?.startsWith('BENCH ')) return JSON.parse(msg.slice(6)) as CostRow[];
      } catch {
        // not a JSON log line
      }
    }
    return `k6 printed no result (exit ${run.status}): ${run.stderr.slice(0, 500)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printCosts(title: string, rows: CostRow[], httpNs: number): void {
  const w = Math.max(...rows.map((r) => r.name.length), 40);
  console.log(`\n${title}`);
  console.log(`${'what'.padEnd(w)}  ${'ns/sample'.padStart(10)}  ${'% of 1 HTTP request'.padStart(20)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${r.nsPerSample.toFixed(0).padStart(10)}  ${((100 * r.nsPerSample) / httpNs).toFixed(2).padStart(19)}%`,
    );
  }
  console.log(
    `${'one local HTTP request (Node keep-alive GET, wall)'.padEnd(w)}  ${httpNs.toFixed(0).padStart(10)}`,
  );
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 40);
  if (!Number.isInteger(n) || n < 5)
    throw new Error(`BENCH_N: expected an integer >= 5, got ${process.env.BENCH_N}`);
  const t0 = Date.now();
  printConfusion(confusion(n));
  console.log(`(${n} seeded traces per class and view, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const httpNs = await httpCost();
  printCosts(`detector CPU in Node ${process.version}`, nodeCosts(), httpNs);
  const k6 = process.env.K6;
  if (!k6 || !existsSync(k6)) {
    console.log('\nk6 timings skipped: set K6 to a k6 binary to time the detectors inside k6 (Sobek)');
    return;
  }
  const rows = await k6Costs(k6);
  if (typeof rows === 'string') console.log(`\nk6 timings failed: ${rows}`);
  else printCosts(`detector CPU inside k6 (${k6}), against the same Node HTTP request`, rows, httpNs);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
