/**
 * Turns the aggregated 1-s windows into what the detectors and reports read: dense per-second
 * arrays over the whole run (missing seconds are zero), the 1-s and 10-s series, and the figures of
 * any range of seconds (full run, steady state).
 *
 * Global VUs of a second are the sum over runners of each runner's `vus` in that second; a runner
 * that skipped a sample (k6 samples `vus` about once a second, with jitter) keeps its last value
 * while it is active.
 */
import { settle } from '../lib/summary/accounting.ts';
import { median } from './detect/stats.ts';
import { HDR_RELATIVE_ERROR, Hdr } from './hdr.ts';
import { C, H } from './metrics.ts';
import type { Counts, Figures, Flavour, PctSeries, Percentiles, Series } from './model/types.ts';
import type { Aggregator, Window } from './windows.ts';

export { HDR_RELATIVE_ERROR };

/** Dense, per-second view of a run (index 0 = the second of the earliest sample). */
export class RunView {
  readonly startSec: number;
  readonly nSec: number;
  readonly windows: (Window | undefined)[];
  readonly flavour: Flavour;
  /** Histogram slot of the latency of record, or -1 when no latency metric is present. */
  readonly recordSlot: number;
  /** Per second: started (sent or iterations), dropped, achieved, completed, scheduled. */
  readonly started: Float64Array;
  readonly dropped: Float64Array;
  readonly achieved: Float64Array;
  readonly completed: Float64Array;
  readonly scheduled: Float64Array;
  /** Per second global VUs / vus_max (NaN when no runner reported). */
  readonly vus: Float64Array;
  readonly vusMax: Float64Array;
  /** Per second target rate (NaN when unknown). */
  readonly target: Float64Array;

  constructor(
    readonly agg: Aggregator,
    targetTps: number | undefined,
  ) {
    this.startSec = Number.isFinite(agg.firstMs) ? Math.floor(agg.firstMs / 1000) : 0;
    const endSec = Number.isFinite(agg.lastMs) ? Math.floor(agg.lastMs / 1000) : -1;
    this.nSec = Math.max(0, endSec - this.startSec + 1);
    this.windows = new Array(this.nSec);
    // Windows outside the run's span (idle gauges before or after the load) are left out.
    for (const w of agg.windows.values()) {
      const i = w.sec - this.startSec;
      if (i >= 0 && i < this.nSec) this.windows[i] = w;
    }
    const kit = agg.seen.has('ml_transfers_sent') || agg.seen.has('ml_transfers_committed');
    this.flavour = kit ? 'kit' : 'builtin';
    this.recordSlot = agg.seen.has('ml_transfer_e2e')
      ? H.e2e
      : agg.seen.has('http_req_duration')
        ? H.http
        : agg.seen.has('iteration_duration')
          ? H.iteration
          : -1;
    const n = this.nSec;
    this.started = new Float64Array(n);
    this.dropped = new Float64Array(n);
    this.achieved = new Float64Array(n);
    this.completed = new Float64Array(n);
    this.scheduled = new Float64Array(n);
    this.vus = new Float64Array(n).fill(Number.NaN);
    this.vusMax = new Float64Array(n).fill(Number.NaN);
    this.target = new Float64Array(n).fill(targetTps ?? Number.NaN);
    for (let i = 0; i < n; i++) {
      const w = this.windows[i];
      if (w === undefined) continue;
      const c = w.c;
      this.started[i] = kit ? c[C.sent]! : c[C.iterations]!;
      this.dropped[i] = c[C.dropped]!;
      this.achieved[i] = kit ? c[C.committed]! : c[C.iterations]!;
      this.completed[i] = kit ? c[C.committed]! + c[C.rejected]! : c[C.iterations]!;
    }
    for (let i = 0; i < n; i++) this.scheduled[i] = this.started[i]! + this.dropped[i]!;
    if (targetTps === undefined) this.target.set(this.scheduled);
    this.fillVus();
  }

  private fillVus(): void {
    const runners = this.agg.runners;
    const lastVus = new Array<number | undefined>(runners.length);
    const lastMax = new Array<number | undefined>(runners.length);
    const active = runners.map((r) => [
      Math.floor(r.firstMs / 1000) - this.startSec,
      Math.floor(r.lastMs / 1000) - this.startSec,
    ]);
    for (let i = 0; i < this.nSec; i++) {
      const w = this.windows[i];
      let sum = 0;
      let sumMax = 0;
      let any = false;
      let anyMax = false;
      for (let r = 0; r < runners.length; r++) {
        const v = w?.vus?.[r];
        const m = w?.vusMax?.[r];
        if (v !== undefined) lastVus[r] = v;
        if (m !== undefined) lastMax[r] = m;
        const [a, b] = active[r]!;
        if (i < a! || i > b!) continue;
        if (lastVus[r] !== undefined) {
          sum += lastVus[r]!;
          any = true;
        }
        if (lastMax[r] !== undefined) {
          sumMax += lastMax[r]!;
          anyMax = true;
        }
      }
      if (any) this.vus[i] = sum;
      if (anyMax) this.vusMax[i] = sumMax;
    }
  }

  hasHist(slot: number): boolean {
    for (let i = 0; i < this.nSec; i++) if (this.windows[i]?.hists[slot] !== undefined) return true;
    return false;
  }

  /** Merged histogram of `slot` over seconds [a, b). */
  merged(slot: number, a: number, b: number): Hdr {
    const h = new Hdr();
    for (let i = Math.max(0, a); i < Math.min(this.nSec, b); i++) {
      const x = this.windows[i]?.hists[slot];
      if (x !== undefined) h.merge(x);
    }
    return h;
  }

  sumCounter(idx: number, a: number, b: number): number {
    let s = 0;
    for (let i = Math.max(0, a); i < Math.min(this.nSec, b); i++) s += this.windows[i]?.c[idx] ?? 0;
    return s;
  }

  /** Name of each histogram slot present in the run. */
  histSlots(): { slot: number; name: string }[] {
    const out: { slot: number; name: string }[] = [];
    for (let s = 0; s < this.agg.histNames.length; s++) {
      if (s === H.lag) continue;
      if (this.hasHist(s)) out.push({ slot: s, name: this.agg.histNames[s]! });
    }
    return out;
  }

  /**
   * Per-code counts summed over [a, b). `outcomes`: transfer outcomes for kit runs (COMMITTED,
   * TIMEOUT, rejection error codes), HTTP statuses for plain k6 runs; `http`: HTTP statuses.
   */
  outcomeTotals(a: number, b: number, which: 'outcomes' | 'http' = 'outcomes'): Record<string, number> {
    const out: Record<string, number> = {};
    const kit = this.flavour === 'kit';
    const wantHttp = which === 'http' || !kit;
    if (kit && which === 'outcomes') {
      out['COMMITTED'] = this.sumCounter(C.committed, a, b);
      const to = this.sumCounter(C.timedOut, a, b);
      if (to > 0) out['TIMEOUT'] = to;
    }
    for (let i = Math.max(0, a); i < Math.min(this.nSec, b); i++) {
      const codes = this.windows[i]?.codes;
      if (codes === undefined) continue;
      for (let k = 0; k < codes.length; k++) {
        const v = codes[k];
        if (v === undefined) continue;
        const name = this.agg.codeNames[k]!;
        if (name.startsWith('http:') !== wantHttp) continue;
        out[name] = (out[name] ?? 0) + v;
      }
    }
    return out;
  }
}

export function percentiles(h: Hdr): Percentiles {
  const nn = (x: number) => (Number.isFinite(x) ? round3(x) : null);
  return {
    count: h.count,
    p50: nn(h.quantile(0.5)),
    p95: nn(h.quantile(0.95)),
    p99: nn(h.quantile(0.99)),
    max: nn(h.count > 0 ? h.max : Number.NaN),
    mean: nn(h.mean()),
  };
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

export function countsOf(c: (idx: number) => number): Counts {
  return {
    sent: c(C.sent),
    accepted: c(C.accepted),
    committed: c(C.committed),
    rejected: c(C.rejected),
    rejectedAsync: c(C.rejectedAsync),
    transportFailed: c(C.transportFailed),
    postTransportErrors: c(C.postTransportErrors),
    timedOut: c(C.timedOut),
    neverArrived: 0,
    late: c(C.late),
    duplicate: c(C.duplicate),
    evicted: c(C.evicted),
    iterations: c(C.iterations),
    dropped: c(C.dropped),
    httpReqs: c(C.httpReqs),
    httpFailed: c(C.httpFailedPass),
  };
}

/**
 * Whole-run counts with the transfers whose outcome never arrived settled by the kit summary's own
 * function (lib/summary/accounting.ts `settle`): timed out, or transport-failed when their POST got no answer. A negative residual (more outcomes than
 * transfers sent) is left visible: the gate refuses such a run.
 */
export function reconcileNeverArrived(c: Counts): Counts {
  const s = settle(c);
  if (s.neverArrived <= 0) return c;
  return { ...c, neverArrived: s.neverArrived, transportFailed: s.transportFailed, timedOut: s.timedOut };
}

/** Figures over seconds [a, b) of the run. */
export function figures(v: RunView, a: number, b: number, targetTps: number | undefined): Figures {
  const lo = Math.max(0, a);
  const hi = Math.min(v.nSec, b);
  const dur = Math.max(0, hi - lo);
  const sum = (arr: Float64Array) => {
    let s = 0;
    for (let i = lo; i < hi; i++) s += arr[i]!;
    return s;
  };
  const raw = countsOf((idx) => v.sumCounter(idx, lo, hi));
  // Only the whole run can say an outcome "never arrived": a window's outcomes may land later.
  const counts = v.flavour === 'kit' && lo === 0 && hi >= v.nSec ? reconcileNeverArrived(raw) : raw;
  const started = sum(v.started);
  const dropped = sum(v.dropped);
  const achieved = sum(v.achieved);
  const completed = sum(v.completed);
  let target: number | null = null;
  if (targetTps !== undefined) target = targetTps;
  else if (dur > 0) {
    // Inferred: the scheduled rate's median over the range (robust to catch-up bursts).
    const m = median(v.scheduled.subarray(lo, hi));
    target = m > 0 ? m : null;
  }
  const latency: Record<string, Percentiles> = {};
  let record: Hdr | undefined;
  for (const { slot, name } of v.histSlots()) {
    const h = v.merged(slot, lo, hi);
    latency[name] = percentiles(h);
    if (slot === v.recordSlot) record = h;
  }
  const lagH = v.hasHist(H.lag) ? v.merged(H.lag, lo, hi) : undefined;
  let vusSum = 0;
  let vusN = 0;
  let vusPeak = Number.NEGATIVE_INFINITY;
  let capPeak = Number.NEGATIVE_INFINITY;
  let saturated = 0;
  let both = 0;
  for (let i = lo; i < hi; i++) {
    const x = v.vus[i]!;
    const m = v.vusMax[i]!;
    if (!Number.isNaN(x)) {
      vusSum += x;
      vusN++;
      if (x > vusPeak) vusPeak = x;
    }
    if (!Number.isNaN(m) && m > capPeak) capPeak = m;
    if (!Number.isNaN(x) && !Number.isNaN(m) && m > 0) {
      both++;
      if (x >= 0.95 * m) saturated++;
    }
  }
  const over1sN = v.sumCounter(C.over1sN, lo, hi);
  let over1s: number | null = null;
  if (over1sN > 0) over1s = v.sumCounter(C.over1sPass, lo, hi) / over1sN;
  else if (record !== undefined && record.count > 0) over1s = record.fractionAbove(1000);
  const kit = v.flavour === 'kit';
  const finals = counts.committed + counts.rejected + counts.timedOut;
  const httpN = v.sumCounter(C.httpFailedN, lo, hi);
  return {
    fromSec: lo,
    toSec: hi,
    durationSec: dur,
    targetTps: target,
    achievedTps: dur > 0 ? achieved / dur : 0,
    completedTps: dur > 0 ? completed / dur : 0,
    startedTps: dur > 0 ? started / dur : 0,
    droppedPerSec: dur > 0 ? dropped / dur : 0,
    attainment: target !== null && dur > 0 ? achieved / dur / target : null,
    dropShare: ratio(dropped, started + dropped),
    successRatio: kit ? ratio(counts.committed, finals) : null,
    over1sShare: over1s,
    httpErrorRate: httpN > 0 ? v.sumCounter(C.httpFailedPass, lo, hi) / httpN : null,
    counts,
    latency,
    scheduleLag: lagH !== undefined ? percentiles(lagH) : null,
    vusMean: vusN > 0 ? vusSum / vusN : null,
    vusMax: vusN > 0 ? vusPeak : null,
    vusMaxCapacity: Number.isFinite(capPeak) ? capPeak : null,
    vusSaturatedShare: both > 0 ? saturated / both : null,
    outcomes: v.outcomeTotals(lo, hi),
    httpStatuses: v.outcomeTotals(lo, hi, 'http'),
  };
}

/** The series at `step` seconds per window over the whole run. */
export function series(v: RunView, step: number): Series {
  const n = Math.ceil(v.nSec / step);
  const t: number[] = [];
  const targetTps: (number | null)[] = [];
  const achievedTps: number[] = [];
  const completedTps: number[] = [];
  const startedTps: number[] = [];
  const droppedPerSec: number[] = [];
  const vus: (number | null)[] = [];
  const vusMax: (number | null)[] = [];
  const slots = v.histSlots();
  const latency: Record<string, PctSeries> = {};
  for (const { name } of slots) latency[name] = { p50: [], p95: [], p99: [], count: [] };
  const hasLag = v.hasHist(H.lag);
  const lag: PctSeries | null = hasLag ? { p50: [], p95: [], p99: [], count: [] } : null;
  const codeTotals = v.outcomeTotals(0, v.nSec);
  const outcomes: Record<string, number[]> = {};
  for (const code of Object.keys(codeTotals)) outcomes[code] = [];
  const pushPct = (ps: PctSeries, h: Hdr) => {
    const q = (x: number) => (Number.isFinite(x) ? round3(x) : null);
    ps.p50.push(q(h.quantile(0.5)));
    ps.p95.push(q(h.quantile(0.95)));
    ps.p99.push(q(h.quantile(0.99)));
    ps.count.push(h.count);
  };
  for (let k = 0; k < n; k++) {
    const a = k * step;
    const b = Math.min(v.nSec, a + step);
    const width = b - a;
    t.push(a);
    let tg = 0;
    let tgN = 0;
    let ach = 0;
    let comp = 0;
    let st = 0;
    let dr = 0;
    let vu = 0;
    let vuN = 0;
    let cap = Number.NEGATIVE_INFINITY;
    for (let i = a; i < b; i++) {
      if (!Number.isNaN(v.target[i]!)) {
        tg += v.target[i]!;
        tgN++;
      }
      ach += v.achieved[i]!;
      comp += v.completed[i]!;
      st += v.started[i]!;
      dr += v.dropped[i]!;
      if (!Number.isNaN(v.vus[i]!)) {
        vu += v.vus[i]!;
        vuN++;
      }
      if (!Number.isNaN(v.vusMax[i]!) && v.vusMax[i]! > cap) cap = v.vusMax[i]!;
    }
    targetTps.push(tgN > 0 ? round3(tg / tgN) : null);
    achievedTps.push(round3(ach / width));
    completedTps.push(round3(comp / width));
    startedTps.push(round3(st / width));
    droppedPerSec.push(round3(dr / width));
    vus.push(vuN > 0 ? round3(vu / vuN) : null);
    vusMax.push(Number.isFinite(cap) ? cap : null);
    for (const { slot, name } of slots) {
      pushPct(latency[name]!, step === 1 ? (v.windows[a]?.hists[slot] ?? EMPTY) : v.merged(slot, a, b));
    }
    if (lag !== null)
      pushPct(lag, step === 1 ? (v.windows[a]?.hists[H.lag] ?? EMPTY) : v.merged(H.lag, a, b));
    const tot = v.outcomeTotals(a, b);
    for (const code of Object.keys(outcomes)) outcomes[code]!.push(round3((tot[code] ?? 0) / width));
  }
  return {
    stepSec: step,
    t,
    targetTps,
    achievedTps,
    completedTps,
    startedTps,
    droppedPerSec,
    vus,
    vusMax,
    scheduleLag: lag,
    latency,
    outcomes,
  };
}

const EMPTY = new Hdr();
