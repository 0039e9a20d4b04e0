/**
 * `npm run bench scenarios`: the VU plan and the expected per-runner footprint of 1000 TPS in each
 * mode (the planner's model), and, when `K6` names a k6 binary, short real runs of
 * dist/transfers.js against the embedded simulator at BENCH_TPS: collect mode with the 1000-TPS
 * plan's 100 VUs (with and without GOMEMLIMIT), collect and wait mode with the VUs planned for that
 * rate, and one runner of the four-runner 1000-TPS plan, reporting k6's peak RSS and CPU per 1000
 * transfers. Figures are printed, never asserted (machines are noisy).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_VARS } from '../lib/config/run-config.ts';
import type { PlanMode } from '../lib/plan/modes.ts';
import type { RunResult } from '../lib/summary/result.ts';
import { makePlan, type Plan, PlanRefused } from '../planner/planner.ts';
import { startSimulator } from '../sim/simulator.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const MiB = 1024 * 1024;
/** What each runner may use in the plan (the planner's defaults: one k6 per 2-core, 4 GiB node share). */
const RUNNER = { runnerCpuMillicores: 2000, runnerMemoryBytes: 4 * 1024 * MiB };

const MODES: PlanMode[] = ['collect', 'wait', 'e2e', 'outbound'];

/**
 * The VU plan and the per-runner footprint of 1000 TPS (PROFILE=load, 10 minutes) as the planner
 * computes them for the k6-operator manifests (planner/planner.ts, constants in
 * planner/capacity.ts), for one k6 instance and for the planner's choice of runners.
 */
function printPlan(): void {
  console.log(
    'VU plan and per-runner footprint for 1000 TPS (PROFILE=load, 10m; planner/capacity.ts model):',
  );
  console.log('  mode      runners  VUs/runner  TPS/runner  memory/runner (model)  CPU/runner (model)');
  for (const mode of MODES) {
    for (const parallelism of [1, undefined]) {
      let plan: Plan;
      try {
        plan = makePlan({ tps: 1000, mode, profile: 'load', durationMs: 600_000, parallelism, ...RUNNER });
      } catch (e) {
        if (!(e instanceof PlanRefused)) throw e;
        console.log(
          `  ${mode.padEnd(9)} ${String(parallelism ?? '-').padStart(7)}  refused: ${e.reasons[0]}`,
        );
        continue;
      }
      const r = plan.runners[0]!;
      if (parallelism === undefined && plan.parallelism === 1) continue;
      console.log(
        `  ${mode.padEnd(9)} ${String(plan.parallelism).padStart(7)} ${String(r.maxVUs + plan.extraVusPerRunner).padStart(11)}` +
          ` ${r.peakTps.toFixed(0).padStart(11)} ${`${(plan.resources.memoryNeededBytes / MiB).toFixed(0)} MiB`.padStart(22)}` +
          ` ${`${plan.resources.cpuNeededMillicores.toFixed(0)}m`.padStart(19)}`,
      );
    }
  }
  console.log(
    '  (memory = base + VUs × per-VU + churn + stored Trend samples: k6 keeps every Trend sample, so long runs at\n' +
      '   1000 TPS per runner grow by ~0.3 GB/h; `npm run plan` prints the whole arithmetic.)',
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
  k6Args: string[] = [],
): Promise<Measured> {
  const results = mkdtempSync(path.join(tmpdir(), 'mk6-bench-'));
  const args = ['run', '-q', '--no-color', ...k6Args];
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
    // transfers-result.json, or transfers-runner<i>-result.json for one runner of several.
    const file = readdirSync(results).find((f) => /^transfers(-runner\d+)?-result\.json$/.test(f));
    result = file ? (JSON.parse(readFileSync(path.join(results, file), 'utf8')) as RunResult) : undefined;
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
  if (!(tps > 0)) throw new Error(`BENCH_TPS: expected a positive number, got ${process.env.BENCH_TPS}`);
  const duration = process.env.BENCH_DURATION ?? '20s';
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, log: () => {} });
  try {
    console.log(
      `\nk6 run: dist/transfers.js at ${tps} TPS for ${duration} against the embedded simulator (same machine):`,
    );
    console.log(
      '  mode      VUs   sent   committed  balanced  dropped  peak RSS   k6 CPU   CPU s / 1000 transfers',
    );
    // The 1000-TPS plan holds 100 VUs in collect mode (lib/plan/run-plan.ts); EXPECTED_LATENCY_MS
    // gives the same 100 VUs at the bench's rate, so RSS is measured at the target's VU count.
    const hundredVus = String(Math.round(50_000 / tps));
    interface BenchRun {
      label: string;
      env: Record<string, string>;
      goMemLimit?: string;
      k6Args?: string[];
    }
    const at = (extra: Record<string, string>): Record<string, string> => ({
      PROFILE: 'load',
      MODE: 'collect',
      TARGET_TPS: String(tps),
      DURATION: duration,
      TIMEOUT_MS: '3000',
      ...extra,
    });
    const runs: BenchRun[] = [
      { label: 'collect', env: at({ EXPECTED_LATENCY_MS: hundredVus }) },
      { label: 'collect*', env: at({ EXPECTED_LATENCY_MS: hundredVus }), goMemLimit: '120MiB' },
      { label: 'collect', env: at({}) },
      { label: 'wait', env: at({ MODE: 'wait' }) },
      // One of the four runners the planner gives 1000 TPS (k6-operator passes these flags).
      {
        label: 'runner1/4',
        env: at({ TARGET_TPS: '1000', PARALLELISM: '4' }),
        k6Args: ['--execution-segment', '0:1/4', '--execution-segment-sequence', '0,1/4,2/4,3/4,1'],
      },
    ];
    for (const { label, env, goMemLimit, k6Args } of runs) {
      const m = await runK6(k6, sim.url, env, goMemLimit, k6Args);
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
      "  (* with GOMEMLIMIT=120MiB. The first two rows hold the 1000-TPS plan's 100 VUs at this rate; the next two the\n" +
        '   VUs planned for this rate; runner1/4 is one k6 instance of the 1000-TPS plan (250/s, 25 VUs + collector).\n' +
        '   CPU includes k6 start-up and the collector tail; the simulator runs in this process on the same cores, so\n' +
        '   dropped iterations here mean this machine, not the kit, is the limit.)',
    );
  } finally {
    await sim.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
