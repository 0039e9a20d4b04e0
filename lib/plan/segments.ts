/**
 * k6's execution-segment arithmetic, re-derived: how k6 splits VUs and arrival rates between the
 * runners of a distributed test (k6-operator gives runner i of N the segment `(i-1)/N:i/N` and the
 * sequence `0,1/N,…,1`). The rules (docs/facts/k6.md#vu-split and #rate-split), checked against k6 v2.2.0:
 *
 * - **Integers** (VUs, `preAllocatedVUs`, `maxVUs`) are split by *striping*: over one cycle of
 *   `lcd` positions (the least common denominator of the segment lengths), each segment owns
 *   `length × lcd` positions; position p goes to the largest segment (equal segments in sequence
 *   order) whose next element is due, i.e. whose count so far c satisfies c × lcd ≤ p × (length ×
 *   lcd). A value v then gives a segment its positions among 0..v−1. The per-runner values always
 *   add up to v, and grow monotonically with v.
 * - **Arrival rates** are not split by segment length: the executor first re-cuts the sequence by
 *   `maxVUs` (segment i becomes `maxVUs_i / maxVUs` long, empty ones dropped) and then starts the
 *   global iterations that fall in its stripe of the new sequence. So a runner's rate is
 *   rate × maxVUs_i / maxVUs — even only when maxVUs is a multiple of the runner count. k6 v2.2.0:
 *   rate 100/s, maxVUs 10, 4 runners → 30/30/20/20 per second (maxVUs 3/3/2/2).
 * - A runner whose share of `maxVUs` is 0 has no work for that scenario (it stays idle).
 *
 * Pure and k6-safe: the planner, the scenarios and the in-run detectors all use it (a detector
 * needs this runner's share of the target rate and of maxVUs). Arithmetic is exact (BigInt
 * rationals); positions are plain numbers because the cycle length is capped at MAX_LCD.
 */
import {
  cmp,
  decimalString,
  div,
  mul,
  ONE,
  parseRat,
  type Rat,
  rat,
  ratString,
  sub,
  toNumber,
  ZERO,
} from './rational.ts';

/** A segment (from, to] of the whole test, 0 ≤ from < to ≤ 1. */
export interface Segment {
  readonly from: Rat;
  readonly to: Rat;
}

/**
 * Longest striping cycle this module computes. k6 allocates the whole cycle too; anything longer
 * comes from absurd denominators and would take seconds, so it is refused with a message.
 */
export const MAX_LCD = 10_000_000;

/** Most runners the kit supports (ids carry the runner index in 10 bits: lib/protocol/ids.ts). */
export const MAX_PARALLELISM = 1024;

export const FULL_SEGMENT: Segment = { from: ZERO, to: ONE };

function makeSegment(from: Rat, to: Rat, field: string): Segment {
  if (cmp(from, ZERO) < 0)
    throw new Error(`${field}: segment start must be at least 0, got ${ratString(from)}`);
  if (cmp(from, to) >= 0) {
    throw new Error(
      `${field}: segment start (${ratString(from)}) must be less than its end (${ratString(to)})`,
    );
  }
  if (cmp(to, ONE) > 0) throw new Error(`${field}: segment end must be at most 1, got ${ratString(to)}`);
  return { from, to };
}

/**
 * Parses `--execution-segment`: `from:to` (each a fraction, decimal or whole percentage), or a
 * single value x meaning `0:x`. Empty, null or undefined means the whole test `0:1` (what
 * `exec.test.options.executionSegment` holds when no segment was given).
 */
export function parseSegment(text: string | null | undefined, field = 'execution segment'): Segment {
  if (text === null || text === undefined || text.trim() === '') return FULL_SEGMENT;
  const parts = text.split(':');
  if (parts.length > 2)
    throw new Error(`${field}: expected "from:to" such as "1/4:2/4", got ${JSON.stringify(text)}`);
  if (parts.length === 1) return makeSegment(ZERO, parseRat(parts[0]!, field), field);
  return makeSegment(parseRat(parts[0]!, field), parseRat(parts[1]!, field), field);
}

/**
 * Parses `--execution-segment-sequence` `r0,r1,…,rn` (at least two points, strictly increasing,
 * within 0..1). Empty, null or undefined means no sequence (null).
 */
export function parseSequence(
  text: string | null | undefined,
  field = 'execution segment sequence',
): Segment[] | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const points = text.split(',');
  if (points.length < 2) {
    throw new Error(`${field}: expected at least 2 points such as "0,1/2,1", got ${JSON.stringify(text)}`);
  }
  const values = points.map((p, i) => parseRat(p, `${field} point ${i + 1}`));
  const out: Segment[] = [];
  for (let i = 1; i < values.length; i++)
    out.push(makeSegment(values[i - 1]!, values[i]!, `${field} point ${i + 1}`));
  return out;
}

/** `from:to` in k6's reduced form, e.g. `1/4:1/2`. */
export function formatSegment(s: Segment): string {
  return `${ratString(s.from)}:${ratString(s.to)}`;
}

/** `r0,r1,…,rn` in k6's reduced form. */
export function formatSequence(seq: readonly Segment[]): string {
  if (seq.length === 0) return '';
  return [ratString(seq[0]!.from), ...seq.map((s) => ratString(s.to))].join(',');
}

export function segmentLength(s: Segment): Rat {
  return sub(s.to, s.from);
}

function sameSegment(a: Segment, b: Segment): boolean {
  return cmp(a.from, b.from) === 0 && cmp(a.to, b.to) === 0;
}

function checkParallelism(n: number, field = 'parallelism'): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARALLELISM) {
    throw new Error(`${field}: expected an integer 1..${MAX_PARALLELISM}, got ${n}`);
  }
}

/**
 * The flags k6-operator passes to runner i (1-based) of n, as it prints them: fractions are not
 * reduced (`2/4`, not `1/2`) and the bounds print as `0` and `1`. With n = 1 the operator passes
 * no segment at all; the strings here are then `0:1` and `0,1`, which k6 treats the same.
 */
export function operatorSegments(n: number): Array<{ segment: string; sequence: string }> {
  checkParallelism(n);
  const point = (k: number): string => (k === 0 ? '0' : k === n ? '1' : `${k}/${n}`);
  const sequence = Array.from({ length: n + 1 }, (_, k) => point(k)).join(',');
  return Array.from({ length: n }, (_, i) => ({ segment: `${point(i)}:${point(i + 1)}`, sequence }));
}

/**
 * The full 0..1 sequence k6 works with: the given sequence with the gaps before and after it
 * filled; without a sequence, the segment with its surroundings (this gives a *different*
 * striping, which is why k6-operator always passes the sequence); without either, `0:1`.
 */
export function filledSequence(sequence: readonly Segment[] | null, segment: Segment | null): Segment[] {
  let out: Segment[];
  if (sequence === null || sequence.length === 0) {
    if (segment === null || cmp(segmentLength(segment), ONE) === 0) return [FULL_SEGMENT];
    out = [segment];
  } else {
    out = [...sequence];
  }
  const first = out[0]!;
  const last = out[out.length - 1]!;
  if (cmp(first.from, ZERO) !== 0) out.unshift({ from: ZERO, to: first.from });
  if (cmp(last.to, ONE) !== 0) out.push({ from: last.to, to: ONE });
  return out;
}

/**
 * The runner index of a k6 process from the strings k6 exposes in
 * `exec.test.options.executionSegment` / `.executionSegmentSequence`: the segment's position in the
 * sequence (k6-operator gives runner i of N the segment `(i-1)/N:i/N` and the sequence `0,1/N,…,1`,
 * so runner i is index i-1); without a sequence, equal segments are assumed (index = from / length,
 * which must be whole). Unsegmented runs (null, empty, `0:1`) are runner 0. Exact arithmetic, like
 * k6's. Throws with a message pointing at the RUNNER override when no index can be derived.
 */
export function runnerIndexOf(segmentText: string | null | undefined, sequenceText?: string | null): number {
  const refuse = (why: string): never => {
    throw new Error(
      `executionSegment ${JSON.stringify(segmentText)} ${why}; set RUNNER=<index> (0..${MAX_PARALLELISM - 1}) explicitly`,
    );
  };
  let segment: Segment;
  let sequence: Segment[] | null;
  try {
    segment = parseSegment(segmentText);
    sequence = parseSequence(sequenceText);
  } catch (e) {
    return refuse(`cannot be read (${(e as Error).message})`);
  }
  if (cmp(segmentLength(segment), ONE) === 0) return 0;
  let index = sequence ? sequence.findIndex((s) => sameSegment(s, segment)) : -1;
  if (index < 0) {
    const ratio = div(segment.from, segmentLength(segment));
    if (ratio.d !== 1n) return refuse('is not one of N equal segments and not in the sequence');
    index = Number(ratio.n);
  }
  if (index >= MAX_PARALLELISM) return refuse(`gives runner index ${index}, beyond what ids carry`);
  return index;
}

function lcm(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return (a / x) * b;
}

function toCount(value: number | bigint, field: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new Error(`${field}: expected a non-negative integer, got ${value}`);
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${field}: expected a non-negative integer, got ${value}`);
  return BigInt(value);
}

/**
 * The striping of a full sequence: which segment owns each position of the repeating cycle.
 * Positions are assigned lazily, only as far as a query needs (a value's remainder modulo lcd).
 */
export class Striping {
  readonly segments: readonly Segment[];
  /** Cycle length: least common denominator of the segment lengths. */
  readonly lcd: number;
  /** Positions each segment owns per cycle (length × lcd), by sequence index. */
  readonly perCycle: readonly number[];
  /** Sequence indices, largest segment first, equal ones in sequence order. */
  private readonly order: number[];
  private readonly owners: number[] = [];
  private readonly chosen: number[];

  constructor(segments: readonly Segment[]) {
    if (segments.length === 0) throw new Error('striping: the sequence is empty');
    for (let i = 1; i < segments.length; i++) {
      if (cmp(segments[i]!.from, segments[i - 1]!.to) !== 0) {
        throw new Error(
          `striping: segment ${i + 1} starts at ${ratString(segments[i]!.from)}, not where segment ${i} ends (${ratString(segments[i - 1]!.to)})`,
        );
      }
    }
    if (cmp(segments[0]!.from, ZERO) !== 0 || cmp(segments[segments.length - 1]!.to, ONE) !== 0) {
      throw new Error(`striping: the sequence ${formatSequence(segments)} must cover 0..1 (fill it first)`);
    }
    this.segments = segments;
    let l = 1n;
    for (const s of segments) {
      l = lcm(l, segmentLength(s).d);
      if (l > BigInt(MAX_LCD)) {
        throw new Error(
          `striping: the sequence ${formatSequence(segments)} has a cycle longer than ${MAX_LCD} positions (denominators too large)`,
        );
      }
    }
    const lcd = l;
    this.lcd = Number(lcd);
    this.perCycle = segments.map((s) => {
      const len = segmentLength(s);
      return Number(len.n * (lcd / len.d));
    });
    // Stable sort, largest first: Array.prototype.sort is stable (ES2019), and the index breaks ties anyway.
    this.order = segments.map((_, i) => i).sort((a, b) => this.perCycle[b]! - this.perCycle[a]! || a - b);
    this.chosen = segments.map(() => 0);
  }

  /** Assigns positions up to (excluding) `limit` ≤ lcd. */
  private assignUpTo(limit: number): void {
    const lcd = this.lcd;
    for (let p = this.owners.length; p < limit; p++) {
      let owner = -1;
      for (const idx of this.order) {
        // Segment idx's next element (number chosen[idx]) is due at position chosen × lcd / perCycle.
        if (this.chosen[idx]! * lcd <= p * this.perCycle[idx]!) {
          owner = idx;
          break;
        }
      }
      // Unreachable for a full sequence: the counts sum to p, so some segment is always due.
      if (owner < 0) throw new Error(`striping: position ${p} has no owner`);
      this.chosen[owner]!++;
      this.owners.push(owner);
    }
  }

  /** Which segment (sequence index) owns global position `position` (0-based). */
  ownerOf(position: number): number {
    const p = Number(toCount(position, 'position') % BigInt(this.lcd));
    this.assignUpTo(p + 1);
    return this.owners[p]!;
  }

  /** k6's ScaleInt64: segment `index`'s part of the integer `value` (its positions among 0..value−1). */
  scale(index: number, value: number | bigint): bigint {
    this.checkIndex(index);
    const v = toCount(value, 'value');
    const lcd = BigInt(this.lcd);
    const rest = Number(v % lcd);
    this.assignUpTo(rest);
    let extra = 0;
    for (let p = 0; p < rest; p++) if (this.owners[p] === index) extra++;
    return (v / lcd) * BigInt(this.perCycle[index]!) + BigInt(extra);
  }

  /** The first `count` global positions segment `index` owns (its iteration indices, for checks). */
  positions(index: number, count: number): number[] {
    this.checkIndex(index);
    const out: number[] = [];
    if (this.perCycle[index] === 0 || count <= 0) return out;
    this.assignUpTo(this.lcd);
    for (let cycle = 0; out.length < count; cycle++) {
      for (let p = 0; p < this.lcd && out.length < count; p++) {
        if (this.owners[p] === index) out.push(cycle * this.lcd + p);
      }
    }
    return out;
  }

  /**
   * k6's re-cut of the sequence by `value` (an arrival-rate scenario's maxVUs): segment i becomes
   * `scale(i, value) / value` long, empty segments are dropped. Returns the new striping and the
   * new index of segment `tracked`, or null when that segment got nothing (it has no work).
   * When `value` is a multiple of lcd the sequence is kept as it is (k6 does the same).
   */
  resegment(value: number, tracked: number): { striping: Striping; index: number } | null {
    this.checkIndex(tracked);
    const v = toCount(value, 'value');
    if (v < 1n) throw new Error(`resegment: value must be at least 1, got ${value}`);
    if (v % BigInt(this.lcd) === 0n) return { striping: this, index: tracked };
    const out: Segment[] = [];
    let index = -1;
    let prev = 0n;
    for (let i = 0; i < this.segments.length; i++) {
      const part = this.scale(i, v);
      if (part === 0n) continue;
      if (i === tracked) index = out.length;
      out.push({ from: rat(prev, v), to: rat(prev + part, v) });
      prev += part;
    }
    return index < 0 ? null : { striping: new Striping(out), index };
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.segments.length) {
      throw new Error(`striping: segment index must be 0..${this.segments.length - 1}, got ${index}`);
    }
  }
}

/** The striping of `n` equal segments (k6-operator's sequence for parallelism n). */
export function equalStriping(n: number): Striping {
  checkParallelism(n);
  const segs: Segment[] = [];
  for (let i = 0; i < n; i++) segs.push({ from: rat(i, n), to: rat(i + 1, n) });
  return new Striping(segs);
}

/** How k6 splits the integer `value` (e.g. VUs) over `n` equal runners, runner 1 first. */
export function splitInt(value: number, n: number): number[] {
  const s = equalStriping(n);
  return s.segments.map((_, i) => Number(s.scale(i, value)));
}

/** An arrival-rate scenario as k6 sees it (constant or ramping: both split the same way). */
export interface ArrivalRateScenario {
  /** Iterations per `timeUnitMs` for the whole test (constant: `rate`; ramping: any stage target). */
  rate: number;
  /** k6 `timeUnit` in ms (default 1000). */
  timeUnitMs?: number;
  preAllocatedVUs: number;
  /** Defaults to preAllocatedVUs, as in k6. */
  maxVUs?: number;
}

/** One runner's part of an arrival-rate scenario. */
export interface RunnerShare {
  /** 1-based runner number (k6-operator's instance_id); 0 for an unsegmented run. */
  runner: number;
  segment: string;
  preAllocatedVUs: number;
  maxVUs: number;
  /** maxVUs_i / maxVUs: the share of the rate this runner starts (0 when idle). */
  share: Rat;
  /** Iterations per timeUnit this runner starts: rate × share. */
  rate: Rat;
  /** The same per second, as a number. */
  perSecond: number;
  /** True when this runner's maxVUs is 0: k6 disables the scenario on it. */
  idle: boolean;
}

function scenarioNumbers(s: ArrivalRateScenario): { rate: number; unit: number; pre: number; max: number } {
  if (!Number.isSafeInteger(s.rate) || s.rate < 0) {
    throw new Error(`rate: expected a non-negative integer (iterations per timeUnit), got ${s.rate}`);
  }
  const unit = s.timeUnitMs ?? 1000;
  if (!Number.isFinite(unit) || unit <= 0)
    throw new Error(`timeUnit: expected a positive duration in ms, got ${unit}`);
  const pre = s.preAllocatedVUs;
  if (!Number.isSafeInteger(pre) || pre < 0)
    throw new Error(`preAllocatedVUs: expected a non-negative integer, got ${pre}`);
  const max = s.maxVUs ?? pre;
  if (!Number.isSafeInteger(max) || max < 0)
    throw new Error(`maxVUs: expected a non-negative integer, got ${max}`);
  if (max < pre) throw new Error(`maxVUs (${max}) must not be less than preAllocatedVUs (${pre})`);
  return { rate: s.rate, unit, pre, max };
}

function shareOf(
  striping: Striping,
  index: number,
  runner: number,
  segment: string,
  s: ArrivalRateScenario,
): RunnerShare {
  const { rate, unit, pre, max } = scenarioNumbers(s);
  const single = striping.segments.length === 1;
  const myPre = single ? pre : Number(striping.scale(index, pre));
  const myMax = single ? max : Number(striping.scale(index, max));
  const share = max === 0 ? ZERO : rat(myMax, max);
  const r = mul(rat(rate), share);
  return {
    runner,
    segment,
    preAllocatedVUs: myPre,
    maxVUs: myMax,
    share,
    rate: r,
    perSecond: toNumber(div(mul(r, rat(1000)), ratFromMs(unit))),
    idle: myMax === 0,
  };
}

function ratFromMs(ms: number): Rat {
  return Number.isSafeInteger(ms) ? rat(ms) : parseRat(String(ms), 'timeUnit');
}

/**
 * How k6 splits an arrival-rate scenario over `parallelism` k6-operator runners: each runner's
 * preAllocatedVUs, maxVUs and the rate it really starts (rate × maxVUs_i / maxVUs).
 */
export function splitArrivalRate(scenario: ArrivalRateScenario, parallelism: number): RunnerShare[] {
  checkParallelism(parallelism);
  const striping = equalStriping(parallelism);
  const flags = operatorSegments(parallelism);
  return flags.map((f, i) => shareOf(striping, i, parallelism === 1 ? 0 : i + 1, f.segment, scenario));
}

/**
 * This k6 process's part of an arrival-rate scenario, from the strings k6 exposes in
 * `exec.test.options.executionSegment` / `.executionSegmentSequence` (null when unsegmented).
 * `runner` is the 1-based position of the segment in the filled sequence (0 when unsegmented).
 * For the in-run detectors: VU headroom against this runner's maxVUs, attainment against its rate.
 */
export function shareForSegment(
  scenario: ArrivalRateScenario,
  segmentText: string | null | undefined,
  sequenceText: string | null | undefined,
): RunnerShare {
  const segment = parseSegment(segmentText);
  const sequence = parseSequence(sequenceText);
  const filled = filledSequence(sequence, segment);
  const index = filled.findIndex((s) => sameSegment(s, segment));
  if (index < 0) {
    throw new Error(
      `execution segment ${formatSegment(segment)} is not part of the sequence ${formatSequence(filled)} (k6 refuses this too)`,
    );
  }
  const striping = new Striping(filled);
  const runner = filled.length === 1 ? 0 : index + 1;
  return shareOf(striping, index, runner, formatSegment(segment), scenario);
}

/**
 * Global iteration indices a constant-arrival-rate scenario schedules in `durationMs`: one at
 * t = 0, then one every timeUnit/rate, the one falling exactly at the end included (k6 v2.2.0
 * started 301 iterations at 100/s for 3 s; whether the boundary tick fires is a race, so
 * comparisons against a real k6 should allow one fewer).
 */
export function scheduledTicks(rate: number, timeUnitMs: number, durationMs: number): number {
  const r = rat(rate);
  const t = mul(div(r, ratFromMs(timeUnitMs)), ratFromMs(durationMs));
  return Number(t.n / t.d) + 1;
}

/**
 * Iterations each of `parallelism` runners starts out of the first `ticks` global iterations of an
 * arrival-rate scenario with `maxVUs` (k6 strides through its stripe of the sequence re-cut by
 * maxVUs). Idle runners start 0. The counts add up to `ticks`.
 */
export function iterationsPerRunner(maxVUs: number, parallelism: number, ticks: number): number[] {
  checkParallelism(parallelism);
  const base = equalStriping(parallelism);
  if (parallelism === 1) return [ticks];
  return base.segments.map((_, i) => {
    const cut = base.resegment(maxVUs, i);
    return cut === null ? 0 : Number(cut.striping.scale(cut.index, ticks));
  });
}

/**
 * A count threshold scaled to one runner: `floor(globalCount × share)`. Per-runner `count>=`
 * thresholds must use this (each runner sees only its share); shares are exact when maxVUs is a
 * multiple of the runner count, otherwise they follow the uneven maxVUs split.
 */
export function scaleCount(globalCount: number, share: Rat): number {
  if (!Number.isSafeInteger(globalCount) || globalCount < 0) {
    throw new Error(`count: expected a non-negative integer, got ${globalCount}`);
  }
  const v = mul(rat(globalCount), share);
  return Number(v.n / v.d);
}

/** `rate × maxVUs_i/maxVUs = x/s` for messages, e.g. `1000 × 25/100 = 250/s`. */
export function describeShare(
  share: RunnerShare,
  totalRate: number,
  maxVUs: number,
  timeUnitMs = 1000,
): string {
  const unit = timeUnitMs === 1000 ? 's' : `${timeUnitMs}ms`;
  if (share.idle) return `${totalRate} × 0/${maxVUs} = 0/${unit} (idle)`;
  return `${totalRate} × ${share.maxVUs}/${maxVUs} = ${decimalString(share.rate, 3)}/${unit}`;
}
