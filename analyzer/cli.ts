/**
 * The `analyze` command line: argument parsing (every bad value is reported with the flag and what
 * was expected), input expansion (directories hold runner files), the progress bar, the run-config
 * file, and writing the reports. cli/analyze.ts only calls {@link main}.
 *
 * Exit codes: the verdict's (lib/verdict/status.ts: 0 HEALTHY, 10 GENERATOR-BOUND, 11 HUB-DEGRADING,
 * 12 HUB-SATURATED, 13 INCONCLUSIVE, 14 INVALID), 4 usage or unreadable input.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DURATION_FORMS, parseDurationMs } from '../lib/config/duration.ts';
import { VERDICT_EXIT_CODES } from '../lib/verdict/status.ts';
import { parseFlags, UsageError } from '../node/cli-args.ts';
import { type AnalyzeOptions, analyze } from './index.ts';
import { LedgerError, readLedger } from './ledger.ts';
import type { AnalysisReport } from './model/types.ts';
import { firstLine, InputError } from './read/lines.ts';
import { renderHtml } from './report/html.ts';
import { renderJson } from './report/json.ts';
import { renderMarkdown } from './report/markdown.ts';

export const USAGE = `Usage: npm run analyze -- [options] <k6 output file or directory>...

Analyzes k6 --out json (NDJSON) and --out csv files, plain or .gz, from one or many runners.

Options:
  --out-dir <dir>         write report.md, report.json and report.html into <dir>
  --format <md|json|html> what to print on stdout (default md; none with --out-dir unless given)
  --target-tps <n>        target transfers (iterations) per second of the whole test
  --run-config <file>     the kit's results/<scenario>-result.json, or JSON with targetTps/parallelism
                          (and expectedLatencyMs)
  --expected-latency-ms <ms>  what the VU pool was sized for (the run's EXPECTED_LATENCY_MS): drops
                          while iterations took far longer, waiting on the hub, are the hub's
  --runners <n>           number of runners expected (a missing one makes the run INVALID)
  --ledger <file>         simulator ledger JSON (GET /admin/ledger) to reconcile against
  --warmup <duration>     warm-up to trim (default min(5m, 10% of the run), extended over a ramp)
  --drain <duration>      drain to trim (default min(2m, 5% of the run))
  --tolerance <share>     attainment tolerance (default 0.02: achieved >= 98% of target)
  --max-error-rate <share>   highest acceptable error rate (default 0.01)
  --max-over-1s <share>   highest acceptable share of transfers over 1 s (default 0.01)
  --p99-ms <ms>           p99 limit of the latency of record (default none)
  --progress / --no-progress   force the progress bar on stderr (default: on a TTY, inputs >= 20 MB)
  -h, --help

Exit codes: 0 HEALTHY, 10 GENERATOR-BOUND, 11 HUB-DEGRADING, 12 HUB-SATURATED, 13 INCONCLUSIVE,
14 INVALID, 15 REJECTED (docs/verdicts.md); 4 usage or input error.`;

export interface CliArgs {
  files: string[];
  outDir?: string;
  format?: 'md' | 'json' | 'html';
  targetTps?: number;
  runConfig?: string;
  expectedLatencyMs?: number;
  runners?: number;
  ledger?: string;
  warmupSec?: number;
  drainSec?: number;
  tolerance?: number;
  maxErrorRate?: number;
  maxOver1s?: number;
  p99Ms?: number;
  progress?: boolean;
  help?: boolean;
}

function positive(flag: string, v: string, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: expected a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
  }
  return n;
}

function share(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(`${flag}: expected a share between 0 and 1, got '${v}'`);
  return n;
}

function durationFlag(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new UsageError(`${flag}: expected ${DURATION_FORMS}, got '${text}'`);
  return ms / 1000;
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  'out-dir': { type: 'string' },
  format: { type: 'string' },
  'target-tps': { type: 'string' },
  'run-config': { type: 'string' },
  'expected-latency-ms': { type: 'string' },
  runners: { type: 'string' },
  ledger: { type: 'string' },
  warmup: { type: 'string' },
  drain: { type: 'string' },
  tolerance: { type: 'string' },
  'max-error-rate': { type: 'string' },
  'max-over-1s': { type: 'string' },
  'p99-ms': { type: 'string' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
} as const;

export function parseArgs(argv: readonly string[]): CliArgs {
  const { values: v, positionals, rest } = parseFlags(argv, FLAGS, { positionals: true });
  const a: CliArgs = { files: [...positionals, ...rest] };
  if (v.help) a.help = true;
  if (v['out-dir'] !== undefined) a.outDir = v['out-dir'];
  if (v.format !== undefined) {
    const f = v.format;
    if (f !== 'md' && f !== 'json' && f !== 'html')
      throw new UsageError(`--format: expected md, json or html, got '${f}'`);
    a.format = f;
  }
  if (v['target-tps'] !== undefined) a.targetTps = positive('--target-tps', v['target-tps']);
  if (v['run-config'] !== undefined) a.runConfig = v['run-config'];
  if (v['expected-latency-ms'] !== undefined)
    a.expectedLatencyMs = positive('--expected-latency-ms', v['expected-latency-ms']);
  if (v.runners !== undefined) a.runners = positive('--runners', v.runners, true);
  if (v.ledger !== undefined) a.ledger = v.ledger;
  if (v.warmup !== undefined) a.warmupSec = durationFlag('--warmup', v.warmup);
  if (v.drain !== undefined) a.drainSec = durationFlag('--drain', v.drain);
  if (v.tolerance !== undefined) a.tolerance = share('--tolerance', v.tolerance);
  if (v['max-error-rate'] !== undefined) a.maxErrorRate = share('--max-error-rate', v['max-error-rate']);
  if (v['max-over-1s'] !== undefined) a.maxOver1s = share('--max-over-1s', v['max-over-1s']);
  if (v['p99-ms'] !== undefined) a.p99Ms = positive('--p99-ms', v['p99-ms']);
  if (v.progress && v['no-progress'])
    throw new UsageError('--progress and --no-progress contradict each other');
  if (v.progress) a.progress = true;
  if (v['no-progress']) a.progress = false;
  if (!a.help && a.files.length === 0)
    throw new UsageError('no input file given (k6 --out json or --out csv files)');
  return a;
}

const OUTPUT_FILE = /\.(json|ndjson|jsonl|csv)(\.gz)?$/i;

/** Whether a first line looks like k6 `--out json` or `--out csv` output. */
export function looksLikeK6Output(line: string): boolean {
  const l = line.replace(/^\uFEFF/, '').trim();
  if (l.startsWith('metric_name,timestamp,metric_value')) return true;
  if (!l.startsWith('{')) return false;
  try {
    const o = JSON.parse(l) as { type?: unknown };
    return o.type === 'Point' || o.type === 'Metric';
  } catch {
    return false;
  }
}

/**
 * Expands directories into the k6 output files they hold (sorted). Inside a directory, files whose
 * first line is not k6 output (the kit's summary JSON, a report.json) are skipped and named in
 * `skipped`; files named explicitly are always read. Missing paths throw {@link InputError}.
 */
export async function expandInputs(
  paths: readonly string[],
): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  for (const p of paths) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch (e) {
      throw new InputError(
        p,
        `cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
      );
    }
    if (!st.isDirectory()) {
      files.push(p);
      continue;
    }
    const candidates = readdirSync(p)
      .filter((f) => OUTPUT_FILE.test(f))
      .sort()
      .map((f) => join(p, f));
    let kept = 0;
    for (const f of candidates) {
      if (looksLikeK6Output(await firstLine(f))) {
        files.push(f);
        kept++;
      } else skipped.push(f);
    }
    if (kept === 0)
      throw new InputError(
        p,
        'directory holds no k6 --out json or --out csv file (.json, .ndjson, .csv, or .gz)',
      );
  }
  return { files, skipped };
}

/**
 * Reads `targetTps` / `parallelism` (and `expectedLatencyMs` when present) from a JSON file: the
 * kit's end-of-test summary (`results/<scenario>-result.json`, members `run.targetTps` and
 * `run.parallelism`; any runner's file will do, they all carry the whole test's values), or a
 * hand-written `{ targetTps, parallelism, expectedLatencyMs }` at the top level or under `config`.
 */
export function readRunConfig(file: string): {
  targetTps?: number;
  parallelism?: number;
  expectedLatencyMs?: number;
} {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--run-config ${file}: ${(e as Error).message}`);
  }
  const root = (doc !== null && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const member = (k: string) =>
    root[k] !== null && typeof root[k] === 'object' ? (root[k] as Record<string, unknown>) : undefined;
  const cfg = member('run') ?? member('config') ?? root;
  const out: { targetTps?: number; parallelism?: number; expectedLatencyMs?: number } = {};
  const t = cfg['targetTps'];
  const p = cfg['parallelism'];
  const l = cfg['expectedLatencyMs'];
  if (t !== undefined) {
    if (typeof t !== 'number' || !(t > 0)) {
      throw new UsageError(
        `--run-config ${file}: "targetTps" must be a positive number, got ${JSON.stringify(t)}`,
      );
    }
    out.targetTps = t;
  }
  if (p !== undefined) {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) {
      throw new UsageError(
        `--run-config ${file}: "parallelism" must be a positive integer, got ${JSON.stringify(p)}`,
      );
    }
    out.parallelism = p;
  }
  if (l !== undefined) {
    if (typeof l !== 'number' || !(l > 0)) {
      throw new UsageError(
        `--run-config ${file}: "expectedLatencyMs" must be a positive number, got ${JSON.stringify(l)}`,
      );
    }
    out.expectedLatencyMs = l;
  }
  if (out.targetTps === undefined && out.parallelism === undefined && out.expectedLatencyMs === undefined) {
    throw new UsageError(
      `--run-config ${file}: neither "targetTps" nor "parallelism" found (under "run" as in the kit's summary, under "config", or at the top level)`,
    );
  }
  return out;
}

/** A byte-based progress bar on stderr, redrawn at most every 200 ms. */
export function progressBar(stream: NodeJS.WriteStream): {
  update(done: number, total: number): void;
  end(): void;
} {
  let last = 0;
  const started = Date.now();
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const fill = Math.round(frac * width);
      const mbps = done / 1e6 / Math.max(0.001, (now - started) / 1000);
      stream.write(
        `\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${(done / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB ${mbps.toFixed(0)} MB/s `,
      );
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** On a terminal, inputs smaller than this get no progress bar (they take a second or two). */
const PROGRESS_MIN_BYTES = 20_000_000;

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

/** Runs the command; returns the exit code (never throws for expected errors). */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.stderr.write(`analyze: ${(e as Error).message}\n`);
    return 4;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let report: AnalysisReport;
  try {
    const { files, skipped } = await expandInputs(args.files);
    for (const f of skipped)
      io.stderr.write(`analyze: skipping ${f}: not k6 --out json / --out csv output\n`);
    const opts: AnalyzeOptions = {};
    if (args.runConfig !== undefined) {
      const rc = readRunConfig(args.runConfig);
      if (rc.targetTps !== undefined) {
        opts.targetTps = rc.targetTps;
        opts.targetDetail = `targetTps of ${args.runConfig}`;
      }
      if (rc.parallelism !== undefined) opts.runners = rc.parallelism;
      if (rc.expectedLatencyMs !== undefined) opts.expectedLatencyMs = rc.expectedLatencyMs;
    }
    if (args.expectedLatencyMs !== undefined) opts.expectedLatencyMs = args.expectedLatencyMs;
    if (args.targetTps !== undefined) {
      opts.targetTps = args.targetTps;
      opts.targetDetail = '--target-tps';
    }
    if (args.runners !== undefined) opts.runners = args.runners;
    if (args.ledger !== undefined) opts.ledger = await readLedger(args.ledger);
    if (args.warmupSec !== undefined) opts.warmupSec = args.warmupSec;
    if (args.drainSec !== undefined) opts.drainSec = args.drainSec;
    if (args.tolerance !== undefined) opts.attainmentTolerance = args.tolerance;
    if (args.maxErrorRate !== undefined) opts.maxErrorRate = args.maxErrorRate;
    if (args.maxOver1s !== undefined) opts.maxOver1sShare = args.maxOver1s;
    if (args.p99Ms !== undefined) opts.p99LimitMs = args.p99Ms;
    const totalBytes = files.reduce((s, f) => s + statSync(f).size, 0);
    const showProgress = args.progress ?? (io.stderr.isTTY === true && totalBytes >= PROGRESS_MIN_BYTES);
    const bar = showProgress ? progressBar(io.stderr as NodeJS.WriteStream) : undefined;
    if (bar !== undefined) {
      opts.totalBytes = totalBytes;
      opts.onProgress = (d, t) => bar.update(d, t);
    }
    try {
      report = await analyze(files, opts);
    } finally {
      bar?.end();
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError || e instanceof LedgerError) {
      io.stderr.write(`analyze: ${e.message}\n`);
      return 4;
    }
    throw e;
  }
  for (const f of report.inputs) {
    if (f.malformed > 0) {
      io.stderr.write(
        `analyze: ${f.file}: ${f.malformed} malformed line(s) skipped; ${f.examples.map((x) => `line ${x.line}: ${x.reason}`).join('; ')}\n`,
      );
    }
    if (f.truncated !== undefined) io.stderr.write(`analyze: ${f.file}: ${f.truncated}\n`);
  }
  if (args.outDir !== undefined) {
    await mkdir(args.outDir, { recursive: true });
    await writeFile(join(args.outDir, 'report.md'), renderMarkdown(report));
    await writeFile(join(args.outDir, 'report.json'), renderJson(report));
    await writeFile(join(args.outDir, 'report.html'), renderHtml(report));
    io.stderr.write(
      `analyze: wrote ${['report.md', 'report.json', 'report.html'].map((f) => join(args.outDir!, f)).join(', ')}\n`,
    );
  }
  const format = args.format ?? (args.outDir === undefined ? 'md' : undefined);
  if (format === 'md') io.stdout.write(renderMarkdown(report));
  else if (format === 'json') io.stdout.write(renderJson(report));
  else if (format === 'html') io.stdout.write(renderHtml(report));
  else io.stdout.write(`${report.verdict.status}: ${report.verdict.headline}\n`);
  return VERDICT_EXIT_CODES[report.verdict.status];
}
