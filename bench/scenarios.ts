/**
 * `npm run bench scenarios`: the VU plan and the expected per-runner footprint of 1000 TPS in each
 * mode, and, when `K6` names a k6 binary, a short real run of dist/transfers.js against the
 * embedded simulator (collect and wait mode at the same modest rate) reporting k6's peak RSS and
 * CPU per 1000 transfers. Figures are printed, never asserted (machines are noisy).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planOptions } from '../lib/config/options.ts';
import { ENV_VARS, parseRunConfig, type ScenarioKind } from '../lib/config/run-config.ts';
import type { RunResult } from '../lib/summary/result.ts';
import { startSimulator } from '../sim/simulator.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** k6 stores every Trend sample (8 bytes) for the whole run (k6-semantics §11.4). */
const TREND_BYTES = 8;
/** Built-in Trend samples per HTTP request: duration, blocked, connecting, tls, sending, waiting, receiving + expected_response copy. */
const HTTP_TREND_SAMPLES = 8;
/**
 * Footprint model, from measurements with k6 v2.2.0 on linux/amd64 (idle constant-vus runs of the
 * transfers bundle): ~60 MB for the process, ~1 MB per VU (the bundle evaluated per VU plus its
 * init work, counted at the Go GC's high-water mark; GOMEMLIMIT lowers that headroom).
 */
const BASE_MB = 60;
const PER_VU_MB = 1.0;

interface Mode {
  label: string;
  kind: ScenarioKind;
  env: Record<string, string>;
  /** HTTP requests per transfer on the sending VUs (collect mode adds ~1 batched collect per second). */
  requestsPerTransfer: number;
  /** Custom Trend samples per transfer (e2e, phases, the sync-latency sub-metric). */
  customTrends: number;
}

const MODES: Mode[] = [
  { label: 'collect', kind: 'transfers', env: {}, requestsPerTransfer: 1, customTrends: 2 },
  { label: 'wait', kind: 'transfers', env: { MODE: 'wait' }, requestsPerTransfer: 2, customTrends: 3 },
  { label: 'e2e', kind: 'e2e', env: {}, requestsPerTransfer: 6, customTrends: 8 },
  { label: 'outbound', kind: 'outbound', env: {}, requestsPerTransfer: 3, customTrends: 8 },
];

function printPlan(): void {
  console.log(
    'VU plan for 1000 TPS (PROFILE=load, PARALLELISM=1; VUs = ceil(λ·L·headroom), maxVUs = preAllocatedVUs):',
  );
  console.log('  mode      hold L   VUs   est. RSS at start   Trend growth per hour');
  for (const m of MODES) {
    const config = parseRunConfig(m.kind, { PROFILE: 'load', ...m.env });
    const { vuPlan } = planOptions(config);
    const startMb = BASE_MB + vuPlan.vus * PER_VU_MB;
    const perHourMb =
      (1000 * 3600 * (m.requestsPerTransfer * HTTP_TREND_SAMPLES + m.customTrends) * TREND_BYTES) / 1e6;
    console.log(
      `  ${m.label.padEnd(9)} ${`${config.expectedLatencyMs}ms`.padStart(6)} ${String(vuPlan.vus).padStart(5)}   ` +
        `${`~${startMb.toFixed(0)} MB`.padStart(17)}   ${`~${perHourMb.toFixed(0)} MB`.padStart(21)}`,
    );
    console.log(`            ${vuPlan.arithmetic}`);
  }
  console.log(
    '  (Trend growth: k6 keeps every sample; for hour-long runs at 1000 TPS per runner, raise PARALLELISM or stream\n' +
      '   results with --out experimental-prometheus-rw and --no-thresholds --summary-mode=disabled.)',
  );
}

interface Measured {
  code: number;
  peakRssMb: number;
  cpuSeconds: number;
  result: RunResult | undefined;
  wallSeconds: number;
}

function readProc(pid: number): { rssKb: number; cpuTicks: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rss = /VmHWM:\s+(\d+)/.exec(status);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime + cutime + cstime (fields 14-17 of /proc/pid/stat; index 11.. after the comm).
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { rssKb: rss ? Number(rss[1]) : 0, cpuTicks: ticks };
  } catch {
    return undefined;
  }
}

async function runK6(
  k6: string,
  hubUrl: string,
  env: Record<string, string>,
  goMemLimit?: string,
): Promise<Measured> {
  const results = mkdtempSync(path.join(tmpdir(), 'mk6-bench-'));
  const args = ['run', '-q', '--no-color'];
  for (const [k, v] of Object.entries({ HUB_URL: hubUrl, RESULTS_DIR: results, ...env }))
    args.push('-e', `${k}=${v}`);
  args.push(path.join(root, 'dist', 'transfers.js'));
  const inherited = { ...process.env };
  for (const name of ENV_VARS) delete inherited[name];
  if (goMemLimit) inherited.GOMEMLIMIT = goMemLimit;
  const started = Date.now();
  const child = spawn(k6, args, { stdio: ['ignore', 'ignore', 'inherit'], env: inherited });
  let last = { rssKb: 0, cpuTicks: 0 };
  const timer = setInterval(() => {
    const p = child.pid === undefined ? undefined : readProc(child.pid);
    // A process that has exited (zombie) reports no memory: keep the highest readings seen.
    if (p) last = { rssKb: Math.max(last.rssKb, p.rssKb), cpuTicks: Math.max(last.cpuTicks, p.cpuTicks) };
  }, 200);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  clearInterval(timer);
  let result: RunResult | undefined;
  try {
    result = JSON.parse(readFileSync(path.join(results, 'transfers-result.json'), 'utf8')) as RunResult;
  } catch {
    result = undefined;
  }
  return {
    code,
    peakRssMb: last.rssKb / 1024,
    cpuSeconds: last.cpuTicks / 100,
    result,
    wallSeconds: (Date.now() - started) / 1000,
  };
}

export async function run(): Promise<void> {
  printPlan();
  const k6 = process.env.K6;
  if (!k6 || !existsSync(k6)) {
    console.log('\nk6 run: skipped (set K6=/path/to/k6 to measure k6 RSS and CPU per 1000 transfers)');
    return;
  }
  if (!existsSync(path.join(root, 'dist', 'transfers.js'))) {
    console.log('\nk6 run: skipped (dist/transfers.js missing: run `npm run build` first)');
    return;
  }
  const tps = Number(process.env.BENCH_TPS ?? 200);
  const duration = process.env.BENCH_DURATION ?? '20s';
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, log: () => {} });
  try {
    console.log(
      `\nk6 run: dist/transfers.js at ${tps} TPS for ${duration} against the embedded simulator (same machine):`,
    );
    console.log(
      '  mode      VUs   sent   committed  balanced  dropped  peak RSS   k6 CPU   CPU s / 1000 transfers',
    );
    const runs: Array<{ label: string; mode: 'collect' | 'wait'; goMemLimit?: string }> = [
      { label: 'collect', mode: 'collect' },
      { label: 'collect*', mode: 'collect', goMemLimit: '110MiB' },
      { label: 'wait', mode: 'wait' },
    ];
    for (const { label, mode, goMemLimit } of runs) {
      const env = { MODE: mode, TARGET_TPS: String(tps), DURATION: duration, TIMEOUT_MS: '3000' };
      const m = await runK6(k6, sim.url, env, goMemLimit);
      const r = m.result;
      const sent = r?.outcomes.sent ?? 0;
      console.log(
        `  ${label.padEnd(9)} ${String(r?.run.vus ?? '-').padStart(3)} ${String(sent).padStart(6)} ${String(r?.outcomes.committed ?? '-').padStart(11)}` +
          `  ${String(r?.outcomes.balanced ?? '-').padStart(8)} ${String(r?.generator.droppedIterations ?? '-').padStart(8)}` +
          ` ${`${m.peakRssMb.toFixed(0)} MB`.padStart(9)} ${`${m.cpuSeconds.toFixed(1)} s`.padStart(8)}` +
          ` ${sent > 0 ? (m.cpuSeconds / (sent / 1000)).toFixed(2).padStart(24) : '-'}` +
          (m.code === 0 ? '' : `  (k6 exit ${m.code})`),
      );
    }
    console.log(
      '  (CPU includes k6 start-up and the collector tail; the simulator runs in this process on the same cores.)',
    );
  } finally {
    await sim.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
