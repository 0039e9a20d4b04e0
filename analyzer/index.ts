/**
 * Programmatic entry of the post-run analyzer: `analyze(files, options)` streams every k6 output
 * file (NDJSON or CSV, plain or gzip, one or many runners), aggregates them into per-second windows,
 * trims warm-up and drain, runs the series detectors, the validity gate and the verdict, and
 * returns the whole {@link AnalysisReport}. Rendering is separate (analyzer/report/*).
 */
import { detectAll } from './detect/index.ts';
import type { DetectInput, DetectOptions } from './detect/input.ts';
import { runGate } from './gate.ts';
import { HDR_RELATIVE_ERROR } from './hdr.ts';
import type { Ledger } from './ledger.ts';
import { C, FIXED_HIST_NAMES, H } from './metrics.ts';
import type { AnalysisReport, InputSummary, RunnerSummary, TargetSource } from './model/types.ts';
import { readInput } from './read/input.ts';
import { countsOf, figures, RunView, reconcileNeverArrived, series } from './series.ts';
import { steadyState } from './steady-state.ts';
import { verdict } from './verdict.ts';
import { Aggregator } from './windows.ts';

export type { AnalysisReport } from './model/types.ts';

export interface AnalyzeOptions {
  /** Target rate of the whole test (all runners), per second. Inferred from the schedule when absent. */
  targetTps?: number;
  /** Where `targetTps` came from, for the report (default: `--target-tps`). */
  targetDetail?: string;
  warmupSec?: number;
  drainSec?: number;
  /** Expected number of runners. */
  runners?: number;
  ledger?: Ledger;
  /** Achieved may fall short of the target by this share (default 0.02). */
  attainmentTolerance?: number;
  /** Highest acceptable error rate in the steady state (default 0.01). */
  maxErrorRate?: number;
  /** Highest acceptable share of transfers over 1 s (default 0.01, the Mojaloop invariant). */
  maxOver1sShare?: number;
  /** Optional p99 limit (ms) of the latency of record. */
  p99LimitMs?: number;
  /**
   * What the VU pool was sized for: the latency holding a VU, ms (the run's EXPECTED_LATENCY_MS).
   * With it, drops while iterations took far longer than this, waiting on the network, are the
   * hub's (its answers exhausted the pool), as in the in-run verdict.
   */
  expectedLatencyMs?: number;
  detect?: Partial<Omit<DetectOptions, 'attainmentTolerance'>>;
  /** Progress: raw bytes read so far and in total. */
  onProgress?: (done: number, total: number) => void;
  /** File sizes for progress (bytes); computed by the CLI. */
  totalBytes?: number;
}

export async function analyze(
  files: readonly string[],
  options: AnalyzeOptions = {},
): Promise<AnalysisReport> {
  if (files.length === 0) throw new Error('analyze: no input file given');
  const agg = new Aggregator();
  const inputs: InputSummary[] = [];
  let done = 0;
  const total = options.totalBytes ?? 0;
  const onBytes = options.onProgress
    ? (n: number) => {
        done += n;
        options.onProgress!(done, total);
      }
    : undefined;
  for (let i = 0; i < files.length; i++) {
    agg.beginFile(i);
    const rep = await readInput(files[i]!, agg, onBytes);
    agg.endFile();
    inputs.push(rep);
  }
  return buildReport(agg, files, inputs, options);
}

/** Builds the report from an already-filled aggregator (also used by tests and the benchmark). */
export function buildReport(
  agg: Aggregator,
  files: readonly string[],
  inputs: InputSummary[],
  options: AnalyzeOptions,
): AnalysisReport {
  agg.finish();
  const tol = options.attainmentTolerance ?? 0.02;
  const view = new RunView(agg, options.targetTps);
  const st = steadyState(view.nSec, Array.from(view.scheduled), {
    ...(options.warmupSec !== undefined ? { warmupSec: options.warmupSec } : {}),
    ...(options.drainSec !== undefined ? { drainSec: options.drainSec } : {}),
  });
  const full = figures(view, 0, view.nSec, options.targetTps);
  const steady = figures(view, st.startSec, st.endSec, options.targetTps);
  const s1 = series(view, 1);
  const s10 = series(view, 10);
  const latencyOfRecord = view.recordSlot >= 0 ? agg.histNames[view.recordSlot]! : null;

  const runners: RunnerSummary[] = agg.runners.map((r) => ({
    key: r.key,
    instanceId: r.instanceId ?? null,
    files: [...r.files].map((f) => files[f] ?? `#${f}`),
    firstSec: round1((r.firstMs - view.startSec * 1000) / 1000),
    lastSec: round1((r.lastMs - view.startSec * 1000) / 1000),
    points: r.points,
    counts:
      view.flavour === 'kit'
        ? reconcileNeverArrived(countsOf((idx) => r.c[idx]!))
        : countsOf((idx) => r.c[idx]!),
  }));
  runners.sort((a, b) => naturalCompare(a.instanceId ?? a.key, b.instanceId ?? b.key));

  const durationSec = Number.isFinite(agg.firstMs) ? (agg.lastMs - agg.firstMs) / 1000 : 0;
  const hasThroughput =
    agg.seen.has('iterations') || agg.seen.has('ml_transfers_sent') || agg.seen.has('ml_transfers_committed');
  const gate = runGate({
    flavour: view.flavour,
    durationSec: view.nSec,
    totals: full.counts,
    runners,
    inputs,
    testruns: [...agg.testruns],
    ...(options.runners !== undefined ? { expectedRunners: options.runners } : {}),
    ...(options.ledger !== undefined ? { ledger: options.ledger } : {}),
    steadyFallback: st.fullRunFallback,
    hasThroughput,
  });

  // Detection on the steady-state slice of the global 1-s series.
  const a = st.startSec;
  const b = st.endSec;
  const dx = detectInputOf(view, a, b, options.targetTps !== undefined);
  if (options.expectedLatencyMs !== undefined) dx.plannedHoldMs = options.expectedLatencyMs;
  const det = detectAll(dx, latencyOfRecord ?? 'latency', { ...options.detect, attainmentTolerance: tol });

  const targetSource: TargetSource =
    options.targetTps !== undefined ? 'flag' : steady.targetTps !== null ? 'inferred' : 'none';
  const v = verdict({
    gate,
    detections: det.detections,
    steady,
    latencyOfRecord,
    runners: Math.max(1, runners.length),
    attainmentTolerance: tol,
    maxErrorRate: options.maxErrorRate ?? 0.01,
    maxOver1sShare: options.maxOver1sShare ?? 0.01,
    ...(options.p99LimitMs !== undefined ? { p99LimitMs: options.p99LimitMs } : {}),
    targetKnown: targetSource === 'flag',
    rejectionReasons: [...agg.rejectionReasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((x, y) => y.count - x.count || x.reason.localeCompare(y.reason)),
  });

  const notes: string[] = [];
  notes.push(
    view.flavour === 'kit'
      ? 'Kit metrics found: achieved = ml_transfers_committed per second, started = ml_transfers_sent.'
      : 'No kit metrics (ml_transfers_*): achieved = completed iterations per second (k6 built-in metrics).',
  );
  if (latencyOfRecord !== null)
    notes.push(
      `Latency of record: ${latencyOfRecord}${latencyOfRecord === 'e2e' ? ' (ml_transfer_e2e of committed transfers)' : ''}.`,
    );
  else notes.push('No latency metric found (ml_transfer_e2e, http_req_duration, iteration_duration).');
  if (det.drops.total > 0) {
    notes.push(
      `Dropped iterations in the steady state: ${det.drops.total} (hub stalls ${det.drops.hub}, generator ${det.drops.generator}).`,
    );
  }
  if (agg.seen.has('ml_generator_starved') || agg.seen.has('ml_hub_degrading')) {
    const gs = view.sumCounter(C.starvedPass, a, b);
    const hd = view.sumCounter(C.degradingPass, a, b);
    notes.push(
      `In-run detectors fired ${gs} time(s) for generator starvation and ${hd} time(s) for hub degradation in the steady state.`,
    );
  }
  if (det.latencyStep.seen) {
    notes.push(
      `The hub detector saw a level shift of the latency (last ${det.latencyStep.lastStepMs.toFixed(1)} ms): not a degradation by itself.`,
    );
  }
  if (agg.histNames.length > FIXED_HIST_NAMES.length)
    notes.push(`Phases: ${agg.histNames.slice(FIXED_HIST_NAMES.length).join(', ')}.`);

  const otherMetrics: Record<string, number> = {};
  for (const [k, n] of agg.otherMetrics) otherMetrics[k] = n;

  return {
    version: 1,
    generatedAt: new Date().toISOString(),
    flavour: view.flavour,
    latencyOfRecord,
    run: {
      startIso: isoOf(agg.firstMs),
      endIso: isoOf(agg.lastMs),
      durationSec: round1(durationSec),
      testruns: [...agg.testruns],
    },
    target: {
      tps: options.targetTps ?? steady.targetTps,
      source: targetSource,
      detail:
        targetSource === 'flag'
          ? (options.targetDetail ?? '--target-tps')
          : targetSource === 'inferred'
            ? 'median of the scheduled rate (started + dropped per second) over the steady state'
            : 'unknown',
    },
    steadyState: st,
    full,
    steady,
    runners,
    inputs,
    series: { s1, s10 },
    detections: det.detections,
    gate,
    verdict: v,
    otherMetrics,
    percentilePrecision: HDR_RELATIVE_ERROR,
    notes,
  };
}

/**
 * The detectors' view of seconds [a, b): per-second rates, VUs, and from each second's histogram
 * of the latency of record its p50, p95, max, count and counts above a line; schedule-lag and
 * client-overhead p50/p99; iteration_duration p50/p95;
 * and the lightly-loaded latency floor over the whole run (lowest per-second p50 among seconds
 * with at least 20 samples, or any sample when none has 20).
 */
export function detectInputOf(view: RunView, a: number, b: number, targetGiven: boolean): DetectInput {
  const len = Math.max(0, b - a);
  const nanArr = () => new Array<number>(len).fill(Number.NaN);
  const latP50 = nanArr();
  const latP95 = nanArr();
  const latMax = nanArr();
  const latCount = new Array<number>(len).fill(0);
  const lagP50 = nanArr();
  const lagP99 = nanArr();
  const ohP50 = nanArr();
  const ohP99 = nanArr();
  const itP50 = nanArr();
  const itP95 = nanArr();
  const slot = view.recordSlot;
  for (let i = a; i < b; i++) {
    const w = view.windows[i];
    if (w === undefined) continue;
    const h = slot >= 0 ? w.hists[slot] : undefined;
    if (h !== undefined && h.count > 0) {
      latP50[i - a] = h.quantile(0.5);
      latP95[i - a] = h.quantile(0.95);
      latMax[i - a] = h.max;
      latCount[i - a] = h.count;
    }
    const lag = w.hists[H.lag];
    if (lag !== undefined && lag.count > 0) {
      lagP50[i - a] = lag.quantile(0.5);
      lagP99[i - a] = lag.quantile(0.99);
    }
    const oh = w.hists[H.overhead];
    if (oh !== undefined && oh.count > 0) {
      ohP50[i - a] = oh.quantile(0.5);
      ohP99[i - a] = oh.quantile(0.99);
    }
    const it = w.hists[H.iteration];
    if (it !== undefined && it.count > 0) {
      itP50[i - a] = it.quantile(0.5);
      itP95[i - a] = it.quantile(0.95);
    }
  }
  let floor = Number.POSITIVE_INFINITY;
  let floorAny = Number.POSITIVE_INFINITY;
  if (slot >= 0) {
    for (let i = 0; i < view.nSec; i++) {
      const h = view.windows[i]?.hists[slot];
      if (h === undefined || h.count === 0) continue;
      const m = h.quantile(0.5);
      if (m < floorAny) floorAny = m;
      if (h.count >= 20 && m < floor) floor = m;
    }
  }
  const floorLatP50 = Number.isFinite(floor) ? floor : floorAny;
  const x: DetectInput = {
    offsetSec: a,
    target: Array.from(view.target.subarray(a, b)),
    targetGiven,
    achieved: Array.from(view.achieved.subarray(a, b)),
    started: Array.from(view.started.subarray(a, b)),
    dropped: Array.from(view.dropped.subarray(a, b)),
    vus: Array.from(view.vus.subarray(a, b)),
    vusMax: Array.from(view.vusMax.subarray(a, b)),
    latP50,
    latP95,
    latMax,
    latCount,
    lagP50,
    lagP99,
    overheadP50: ohP50,
    overheadP99: ohP99,
    iterP50: itP50,
    iterP95: itP95,
    latCountAbove: (i, ms) => (slot >= 0 ? (view.windows[a + i]?.hists[slot]?.countAbove(ms) ?? 0) : 0),
  };
  if (Number.isFinite(floorLatP50)) x.floorLatP50 = floorLatP50;
  return x;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b);
}

/** ISO-8601 UTC string of an epoch-ms time (millisecond precision). */
function isoOf(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '-';
}
