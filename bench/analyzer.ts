/**
 * Analyzer benchmark: throughput against a bare JSON.parse line loop, and peak memory at two file
 * sizes.
 *
 * Generates a k6-shaped `--out json` file of a kit run at 1000 TPS (every metric a transfer emits
 * in the kit, plus k6's built-ins: ~16 lines per transfer) of at least 5 million lines in a temp
 * dir, and a copy of its first quarter. For each size, two child processes (so peak RSS is
 * measured per run): the bare loop (same 1 MiB chunked read and line split, then `JSON.parse` per
 * line, nothing else) and the analyzer (`analyze()`: read, aggregate, steady state, detectors,
 * gate, verdict). Prints throughput ratio (target >= 0.5x) and peak RSS (should be flat as the
 * file grows: memory follows the run's duration in seconds, not its sample count).
 *
 * Standalone: `npx tsx bench/analyzer.ts`, or `npm run bench -- analyzer` (`run()` prints the table).
 * Programmatic: `await measure()` returns the figures without printing.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyze } from '../analyzer/index.ts';
import { readLines } from '../analyzer/read/lines.ts';
import { writeSyntheticRun } from '../test/support/traces/k6-output.ts';

export interface AnalyzerBenchSize {
  lines: number;
  megabytes: number;
  bareMs: number;
  analyzerMs: number;
  /** analyzer throughput / bare JSON.parse loop throughput */
  ratio: number;
  analyzerLinesPerSec: number;
  bareRssMb: number;
  analyzerRssMb: number;
}

export interface AnalyzerBenchResult {
  /** The first quarter of the file, then the whole (>= 5 M lines) file. */
  sizes: AnalyzerBenchSize[];
  /** Peak RSS of the analyzer on the large file / on the small one. */
  rssGrowth: number;
  ratioTarget: number;
  generateMs: number;
}

const MIN_LINES = 5_000_000;
const TPS = 1000;

interface ChildResult {
  ms: number;
  lines: number;
  maxRssMb: number;
}

async function child(mode: string, file: string): Promise<ChildResult> {
  const t0 = performance.now();
  let lines = 0;
  if (mode === 'bare') {
    await readLines(file, {
      lines(batch) {
        for (let i = 0; i < batch.length; i++) {
          const l = batch[i]!;
          if (l.length > 0) {
            JSON.parse(l);
            lines++;
          }
        }
      },
    });
  } else {
    const r = await analyze([file]);
    lines = r.inputs[0]!.lines;
  }
  const ms = performance.now() - t0;
  return { ms, lines, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function runChild(mode: string, file: string): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const out = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file], {
    cwd: join(dirname(self), '..'),
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (out.status !== 0) throw new Error(`bench child ${mode} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as ChildResult;
}

/** Copies the first `lines` lines of `src` into `dst` (streaming). */
async function copyPrefix(src: string, dst: string, lines: number): Promise<void> {
  const ws = createWriteStream(dst);
  let left = lines;
  for await (const chunk of createReadStream(src, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let cut = -1;
    let pos = 0;
    while (left > 0) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) break;
      left--;
      pos = nl + 1;
      if (left === 0) cut = pos;
    }
    const part = cut >= 0 ? chunk.subarray(0, cut) : chunk;
    if (!ws.write(part)) await new Promise<void>((r) => ws.once('drain', () => r()));
    if (left === 0) break;
  }
  await new Promise<void>((r) => ws.end(() => r()));
}

export async function measure(): Promise<AnalyzerBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-analyzer-'));
  try {
    const t0 = performance.now();
    // ~16 lines per transfer at 1000 TPS: 320 s of run is > 5 M lines.
    const durationSec = Math.ceil(MIN_LINES / (TPS * 15.5));
    const { files, truth } = await writeSyntheticRun(
      {
        seed: 11,
        durationSec,
        rate: TPS,
        latency: (t, r) => 60 + 30 * r() + (t % 60 < 2 ? 40 : 0),
        rejectShare: 0.01,
        vusPerRunner: 400,
      },
      dir,
      { format: 'json', stem: 'large' },
    );
    const large = files[0]!;
    const small = join(dir, 'small.json');
    await copyPrefix(large, small, Math.floor(truth.points / 4));
    const generateMs = performance.now() - t0;

    const sizes: AnalyzerBenchSize[] = [];
    // The two loops run back to back on the same file (the page cache is warm for both); set
    // BENCH_ANALYZER_REPS to repeat them and keep each one's best time on a noisy machine.
    const reps = Math.max(1, Number(process.env['BENCH_ANALYZER_REPS'] ?? 1));
    for (const file of [small, large]) {
      let bare: ChildResult | undefined;
      let an: ChildResult | undefined;
      for (let k = 0; k < reps; k++) {
        const b = runChild('bare', file);
        const a = runChild('analyze', file);
        if (bare === undefined || b.ms < bare.ms)
          bare = { ...b, maxRssMb: Math.max(b.maxRssMb, bare?.maxRssMb ?? 0) };
        if (an === undefined || a.ms < an.ms)
          an = { ...a, maxRssMb: Math.max(a.maxRssMb, an?.maxRssMb ?? 0) };
      }
      sizes.push({
        lines: an!.lines,
        megabytes: statSync(file).size / 1e6,
        bareMs: bare!.ms,
        analyzerMs: an!.ms,
        ratio: bare!.ms / an!.ms,
        analyzerLinesPerSec: an!.lines / (an!.ms / 1000),
        bareRssMb: bare!.maxRssMb,
        analyzerRssMb: an!.maxRssMb,
      });
    }
    return {
      sizes,
      rssGrowth: sizes[1]!.analyzerRssMb / sizes[0]!.analyzerRssMb,
      ratioTarget: 0.5,
      generateMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: AnalyzerBenchResult): void {
  const f = (x: number, d = 0) => x.toFixed(d);
  console.log(`analyzer benchmark (generated in ${f(r.generateMs / 1000, 1)} s)`);
  console.log(
    'lines      MB     bare ms  analyzer ms  ratio  analyzer lines/s  bare RSS MB  analyzer RSS MB',
  );
  for (const s of r.sizes) {
    console.log(
      `${String(s.lines).padEnd(10)} ${f(s.megabytes).padStart(5)}  ${f(s.bareMs).padStart(9)}  ${f(s.analyzerMs).padStart(11)}  ${f(s.ratio, 2).padStart(5)}  ${f(s.analyzerLinesPerSec).padStart(16)}  ${f(s.bareRssMb).padStart(11)}  ${f(s.analyzerRssMb).padStart(15)}`,
    );
  }
  const big = r.sizes[r.sizes.length - 1]!;
  console.log(
    `throughput ratio on the ${big.lines}-line file (analyzer / bare JSON.parse loop): ${f(big.ratio, 2)}x (target >= ${r.ratioTarget}x) ${big.ratio >= r.ratioTarget ? 'OK' : 'BELOW TARGET'}`,
  );
  console.log(
    `peak RSS: ${f(r.sizes[0]!.analyzerRssMb)} MB at ${r.sizes[0]!.lines} lines, ${f(r.sizes[1]!.analyzerRssMb)} MB at ${r.sizes[1]!.lines} lines (x${f(r.rssGrowth, 2)} for x${f(r.sizes[1]!.lines / r.sizes[0]!.lines, 1)} the lines)`,
  );
}

/** Runs the benchmark and prints its table (the `run()` bench/main.ts calls). */
export async function run(): Promise<void> {
  print(await measure());
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) {
    const res = await child(process.argv[i + 1]!, process.argv[i + 2]!);
    process.stdout.write(`${JSON.stringify(res)}\n`);
  } else {
    await run();
  }
}
