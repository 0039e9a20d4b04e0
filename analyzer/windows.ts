/**
 * The streaming aggregation: every sample lands in its 1-second window (epoch second), where
 * counters are summed, latencies go into mergeable {@link Hdr} histograms and the per-runner gauges
 * (`vus`, `vus_max`) keep their maximum of the second. Nothing per sample is kept,
 * so memory grows with the run's duration (a few KB per second of run), not with its sample count.
 *
 * Runners are told apart by the `instance_id` run tag (k6-operator sets it; `--tag instance_id=N`
 * does it by hand) and, when a sample has none, by the file it came from.
 */
import { reasonOfCheck } from '../lib/metrics/rejection-reasons.ts';
import { Hdr } from './hdr.ts';
import {
  C,
  FIXED_HIST_NAMES,
  H,
  isCommittedOutcome,
  K,
  MAX_PHASES,
  type MetricRule,
  N_COUNTERS,
  RULE_NAMES,
  RULES,
} from './metrics.ts';
import type { SampleSink, Tags } from './read/sample.ts';

/** One second of the run, all runners together. */
export class Window {
  readonly c = new Float64Array(N_COUNTERS);
  readonly hists: (Hdr | undefined)[] = [];
  /** Outcome / status code counts, indexed by {@link Aggregator.codeNames}. */
  codes: number[] | undefined;
  /** Per runner index: max `vus` and max `vus_max` seen in this second. */
  vus: number[] | undefined;
  vusMax: number[] | undefined;
  /** Set when something was recorded since the last compaction sweep. */
  touched = true;
  constructor(readonly sec: number) {}

  hist(slot: number): Hdr {
    let h = this.hists[slot];
    if (h === undefined) {
      h = new Hdr();
      this.hists[slot] = h;
    }
    return h;
  }
}

/** Creates one of a window's lazily allocated per-runner / per-code arrays. */
function newArr(w: Window, field: 'vus' | 'vusMax' | 'codes'): number[] {
  const a: number[] = [];
  w[field] = a;
  return a;
}

/** One k6 process (k6-operator runner), as seen across the input files. */
export class RunnerState {
  readonly files = new Set<number>();
  /** First and last *work* sample (anything but the vus / vus_max gauges): see Aggregator.firstMs. */
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;
  /** First and last sample of any kind, and of the kit's per-transfer metrics. */
  anyFirstMs = Number.POSITIVE_INFINITY;
  anyLastMs = Number.NEGATIVE_INFINITY;
  transferFirstMs = Number.POSITIVE_INFINITY;
  transferLastMs = Number.NEGATIVE_INFINITY;
  points = 0;
  readonly c = new Float64Array(N_COUNTERS);
  constructor(
    readonly key: string,
    readonly idx: number,
    /** `instance_id` value, or undefined when the runner is identified by its file. */
    readonly instanceId: string | undefined,
  ) {}
}

/** Samples older than the reading position by this much are assumed complete (for compaction). */
const COMPACT_LAG_SEC = 30;
const SWEEP_EVERY = 200_000;
const MAX_CODES = 64;
const MAX_OTHER_METRICS = 500;
/** Distinct rejection reasons kept; further ones are counted under one catch-all per code. */
const MAX_REASONS = 64;

export class Aggregator implements SampleSink {
  readonly windows = new Map<number, Window>();
  readonly runners: RunnerState[] = [];
  private readonly runnerByKey = new Map<string, RunnerState>();
  /** Histogram slot names: the fixed ones, then `phase:<name>`. */
  readonly histNames: string[] = [...FIXED_HIST_NAMES];
  private readonly phaseSlot = new Map<string, number>();
  readonly codeNames: string[] = [];
  private readonly codeIdx = new Map<string, number>();
  /** Metric types from `Metric` lines of `--out json`. */
  readonly declared = new Map<string, string>();
  /** Samples per metric name the analyzer does not use. */
  readonly otherMetrics = new Map<string, number>();
  /**
   * Rejection reasons of the whole run (`<code>: <text>`, from the failing checks the kit names
   * `rejected <code>: <text>`, lib/metrics/rejection-reasons.ts) → how many.
   */
  readonly rejectionReasons = new Map<string, number>();
  /** Distinct `testrun_name` tags (several means files of different runs were mixed). */
  readonly testruns = new Set<string>();
  /** Samples per rule id of the metrics the analyzer uses (see {@link seen}). */
  private readonly seenCounts = new Float64Array(RULE_NAMES.length);
  /**
   * First and last *work* sample: anything but the `vus` / `vus_max` gauges, which k6 keeps
   * sampling every second through setup, gracefulStop, teardown and the summary while nothing
   * runs. The run is the span of work; idle seconds at either end would read as a pause.
   */
  firstMs = Number.POSITIVE_INFINITY;
  lastMs = Number.NEGATIVE_INFINITY;
  /** First and last sample of any kind (the run's span when there is no work sample at all). */
  anyFirstMs = Number.POSITIVE_INFINITY;
  anyLastMs = Number.NEGATIVE_INFINITY;
  /**
   * First and last sample of the kit's per-transfer metrics. In a kit run they are the span of the
   * load: the outcome collector keeps polling the relay (iterations, http_reqs) after the last
   * transfer, which is not load.
   */
  transferFirstMs = Number.POSITIVE_INFINITY;
  transferLastMs = Number.NEGATIVE_INFINITY;

  private file = 0;
  private fileLabelKey = 'file:0';
  private fileMaxMs = Number.NEGATIVE_INFINITY;
  private sinceSweep = 0;
  private lastSec = Number.NaN;
  private lastWindow: Window | undefined;
  private lastIid: string | undefined = '\u0000';
  private lastTestrun: string | undefined = '\u0000';
  private lastRunner: RunnerState | undefined;
  private lastMetric = '';
  private lastRule: MetricRule | undefined;

  /** Subsequent samples without `instance_id` belong to file number `idx`. */
  beginFile(idx: number): void {
    this.file = idx;
    this.fileLabelKey = `file:${idx}`;
    this.fileMaxMs = Number.NEGATIVE_INFINITY;
    this.lastIid = '\u0000';
    this.lastRunner = undefined;
  }

  /** Ends the current file: compacts everything it touched. */
  endFile(): void {
    this.sweep(Number.POSITIVE_INFINITY);
  }

  /**
   * Settles the span of the run and of each runner (call once, after the last file): the span of
   * the per-transfer metrics in a kit run, else of the work samples, else of any sample (a file of
   * gauges only).
   */
  finish(): void {
    const kit = Number.isFinite(this.transferFirstMs);
    const settle = (x: Aggregator | RunnerState) => {
      if (kit && Number.isFinite(x.transferFirstMs)) {
        x.firstMs = x.transferFirstMs;
        x.lastMs = x.transferLastMs;
      } else if (!Number.isFinite(x.firstMs)) {
        x.firstMs = x.anyFirstMs;
        x.lastMs = x.anyLastMs;
      }
    };
    settle(this);
    for (const r of this.runners) settle(r);
  }

  declare(metric: string, type: string): void {
    if (!this.declared.has(metric)) this.declared.set(metric, type);
  }

  point(metric: string, timeMs: number, value: number, tags: Tags | undefined): void {
    // Runner of the sample: (testrun_name, instance_id), or the file when there is no instance_id.
    const iid = tags?.['instance_id'];
    const tr = tags?.['testrun_name'];
    let runner = this.lastRunner;
    if (iid !== this.lastIid || tr !== this.lastTestrun || runner === undefined) {
      const hasIid = iid !== undefined && iid !== '';
      const key = hasIid ? (tr !== undefined && tr !== '' ? `${tr}/${iid}` : iid) : this.fileLabelKey;
      runner = this.runnerByKey.get(key);
      if (runner === undefined) {
        runner = new RunnerState(key, this.runners.length, hasIid ? iid : undefined);
        this.runners.push(runner);
        this.runnerByKey.set(key, runner);
      }
      if (tr !== undefined && tr !== '') this.testruns.add(tr);
      runner.files.add(this.file);
      this.lastIid = iid;
      this.lastTestrun = tr;
      this.lastRunner = runner;
    }
    runner.points++;
    if (timeMs < runner.anyFirstMs) runner.anyFirstMs = timeMs;
    if (timeMs > runner.anyLastMs) runner.anyLastMs = timeMs;
    if (timeMs < this.anyFirstMs) this.anyFirstMs = timeMs;
    if (timeMs > this.anyLastMs) this.anyLastMs = timeMs;
    if (timeMs > this.fileMaxMs) this.fileMaxMs = timeMs;

    let rule = this.lastRule;
    if (metric !== this.lastMetric) {
      rule = RULES.get(metric);
      this.lastMetric = metric;
      this.lastRule = rule;
    }
    if (rule === undefined || (rule.kind !== K.vus && rule.kind !== K.vusMax)) {
      if (timeMs < runner.firstMs) runner.firstMs = timeMs;
      if (timeMs > runner.lastMs) runner.lastMs = timeMs;
      if (timeMs < this.firstMs) this.firstMs = timeMs;
      if (timeMs > this.lastMs) this.lastMs = timeMs;
      if (rule?.transfer === true) {
        if (timeMs < runner.transferFirstMs) runner.transferFirstMs = timeMs;
        if (timeMs > runner.transferLastMs) runner.transferLastMs = timeMs;
        if (timeMs < this.transferFirstMs) this.transferFirstMs = timeMs;
        if (timeMs > this.transferLastMs) this.transferLastMs = timeMs;
      }
    }
    if (rule === undefined) {
      const n = this.otherMetrics.get(metric);
      if (n !== undefined) this.otherMetrics.set(metric, n + 1);
      else if (this.otherMetrics.size < MAX_OTHER_METRICS) this.otherMetrics.set(metric, 1);
      return;
    }
    this.seenCounts[rule.id]!++;

    // Window of the sample.
    const sec = Math.floor(timeMs / 1000);
    let w = this.lastWindow;
    if (sec !== this.lastSec || w === undefined) {
      w = this.windows.get(sec);
      if (w === undefined) {
        w = new Window(sec);
        this.windows.set(sec, w);
      }
      this.lastSec = sec;
      this.lastWindow = w;
    }
    w.touched = true;

    switch (rule.kind) {
      case K.counter:
        w.c[rule.slot]! += value;
        runner.c[rule.slot]! += value;
        break;
      case K.rate:
        if (value !== 0) {
          w.c[rule.slot]!++;
          runner.c[rule.slot]!++;
        } else if (rule.slot === C.checksPass) {
          const reason = reasonOfCheck(tags?.['check'] ?? '');
          if (reason !== undefined) this.addReason(reason);
        }
        w.c[rule.slot2!]!++;
        runner.c[rule.slot2!]!++;
        break;
      case K.e2e:
        w.hist(isCommittedOutcome(tags?.['outcome']) ? H.e2e : H.e2eFailed).record(value);
        break;
      case K.hist:
        w.hist(rule.slot).record(value);
        break;
      case K.phase:
        w.hist(this.phaseSlotOf(tags?.['phase'])).record(value);
        break;
      case K.rejected: {
        w.c[C.rejected]! += value;
        runner.c[C.rejected]! += value;
        if (tags?.['stage'] !== 'sync') {
          w.c[C.rejectedAsync]! += value;
          runner.c[C.rejectedAsync]! += value;
        }
        this.addCode(w, tags?.['error_code'] || 'unknown', value);
        break;
      }
      case K.httpReqs:
        w.c[C.httpReqs]! += value;
        runner.c[C.httpReqs]! += value;
        this.addCode(w, `http:${tags?.['status'] || '?'}`, value);
        break;
      case K.vus: {
        const a = w.vus ?? newArr(w, 'vus');
        const prev = a[runner.idx];
        if (prev === undefined || value > prev) a[runner.idx] = value;
        break;
      }
      case K.vusMax: {
        const a = w.vusMax ?? newArr(w, 'vusMax');
        const prev = a[runner.idx];
        if (prev === undefined || value > prev) a[runner.idx] = value;
        break;
      }
    }

    if (++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      this.sweep(this.fileMaxMs / 1000 - COMPACT_LAG_SEC);
    }
  }

  private phaseSlotOf(phase: string | undefined): number {
    const name = phase === undefined || phase === '' ? 'unknown' : phase;
    let slot = this.phaseSlot.get(name);
    if (slot === undefined) {
      if (this.phaseSlot.size >= MAX_PHASES) return this.phaseSlotOf('other');
      slot = this.histNames.length;
      this.histNames.push(`phase:${name}`);
      this.phaseSlot.set(name, slot);
    }
    return slot;
  }

  private addReason(reason: string): void {
    const n = this.rejectionReasons.get(reason);
    if (n !== undefined) this.rejectionReasons.set(reason, n + 1);
    else if (this.rejectionReasons.size < MAX_REASONS) this.rejectionReasons.set(reason, 1);
    else {
      const other = `${reason.split(':')[0]}: (further descriptions)`;
      this.rejectionReasons.set(other, (this.rejectionReasons.get(other) ?? 0) + 1);
    }
  }

  private addCode(w: Window, code: string, n: number): void {
    let idx = this.codeIdx.get(code);
    if (idx === undefined) {
      if (this.codeNames.length >= MAX_CODES) {
        this.addCode(w, 'other', n);
        return;
      }
      idx = this.codeNames.length;
      this.codeNames.push(code);
      this.codeIdx.set(code, idx);
    }
    const codes = w.codes ?? newArr(w, 'codes');
    codes[idx] = (codes[idx] ?? 0) + n;
  }

  /** Shrinks the histograms of windows older than `beforeSec` that changed since the last sweep. */
  private sweep(beforeSec: number): void {
    for (const w of this.windows.values()) {
      if (!w.touched || w.sec >= beforeSec) continue;
      for (const h of w.hists) h?.compact();
      w.touched = false;
    }
  }

  /** Samples per metric name the analyzer uses (presence tells kit runs from plain k6 runs). */
  get seen(): ReadonlyMap<string, number> {
    const m = new Map<string, number>();
    for (let i = 0; i < RULE_NAMES.length; i++)
      if (this.seenCounts[i]! > 0) m.set(RULE_NAMES[i]!, this.seenCounts[i]!);
    return m;
  }

  /** Bytes held by all window histograms (reported by the benchmark). */
  histogramBytes(): number {
    let n = 0;
    for (const w of this.windows.values()) for (const h of w.hists) n += h?.byteSize() ?? 0;
    return n;
  }
}
