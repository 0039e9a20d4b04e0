import { type ArrivalSchedule, constantSchedule, rampingSchedule } from '../../../lib/detectors/schedule.ts';
import { Prng } from '../../../node/prng.ts';
import { VuPool } from './vu-pool.ts';

/**
 * Labeled synthetic traces of one k6 runner's arrival-rate scheduling: what the
 * generator-starvation detector must classify.
 *
 * A small discrete-event model of k6's arrival-rate executor (docs/facts/k6.md#arrival-rate): iteration g
 * is due at `schedule.dueAt(g)`; the scheduler fires it then (plus a little timer jitter), or at
 * the end of a CPU stall if it was due during one (late ticks are caught up in a burst, never
 * skipped); it hands the start to the longest-idle VU, or drops it when no VU is idle (dropped
 * starts do not advance the iteration counter). A VU is busy for client overhead + network time;
 * iterations that overlap a stall are stretched by it (half counted as overhead, half as network,
 * since k6 measures HTTP timings in-process), and a VU that finishes during a stall is back in the
 * pool only when the stall ends.
 *
 * Classes: healthy; healthy with a slow (drifting) hub; VU cap (maxVUs below rate x iteration
 * time); CPU-starved scheduling (stalls: late bursts). For the verdict corpus (catalog.ts
 * `verdictCases`) an iteration can also end in a rejection (`rejections`), and a starved scheduler
 * can drop starts although VUs are idle (`idleDrops`).
 */
export interface GeneratorTraceSpec {
  seed: number;
  durationS: number;
  /** this runner's schedule */
  schedule:
    | { kind: 'constant'; rate: number }
    | { kind: 'ramping'; startRate: number; stages: { durationS: number; target: number }[] };
  maxVUs: number;
  /** median network time of an iteration, ms (lognormal, sigma 0.3) */
  networkMs: number;
  /** hub slows down: network time grows by this much per minute */
  networkDriftMsPerMin?: number;
  /** client overhead per iteration, ms */
  overheadMs: number;
  /** timer jitter, mean ms (exponential) */
  jitterMs?: number;
  /** CPU stalls: starts per second (Poisson) and mean duration (exponential), ms */
  stalls?: { perS: number; meanMs: number };
  /**
   * Share of the starts that fall due during a CPU stall and are dropped although VUs are idle: the
   * starved runner could not hand them to a VU in time (docs/facts/k6.md#arrival-rate).
   */
  idleDrops?: number;
  /**
   * The hub refuses this share of the transfers: each started iteration ends rejected with `code`
   * (an FSPIOP code or `http<status>`, the kit's `error_code` tag) and `description`, answered
   * synchronously (the POST) or by an error callback. The iteration's time is the spec's as usual.
   */
  rejections?: { share: number; code: string; description: string; stage: 'sync' | 'async' };
}

export interface GeneratorTrace {
  spec: GeneratorTraceSpec;
  schedule: ArrivalSchedule;
  /** scenario start, ms (the trace clock starts at 1_700_000_000_000 to look like epoch ms) */
  scenarioStartMs: number;
  start: Float64Array;
  iteration: Float64Array;
  active: Float64Array;
  end: Float64Array;
  overhead: Float64Array;
  network: Float64Array;
  vu: Int32Array;
  /** 1 when the iteration's transfer was rejected (spec.rejections), else 0 (committed) */
  rejected: Uint8Array;
  length: number;
  /** time of each dropped start, ms */
  dropped: Float64Array;
  /** starts due in the trace (started + dropped) */
  due: number;
}

export const TRACE_EPOCH_MS = 1_700_000_000_000;

export function scheduleOf(spec: GeneratorTraceSpec): ArrivalSchedule {
  const s = spec.schedule;
  return s.kind === 'constant'
    ? constantSchedule({ rate: s.rate, durationMs: spec.durationS * 1000 })
    : rampingSchedule({
        startRate: s.startRate,
        stages: s.stages.map((st) => ({ durationMs: st.durationS * 1000, target: st.target })),
      });
}

export function generatorTrace(spec: GeneratorTraceSpec): GeneratorTrace {
  if (!Number.isInteger(spec.maxVUs) || spec.maxVUs < 1) {
    throw new Error(`maxVUs: expected an integer >= 1, got ${spec.maxVUs}`);
  }
  if (!(spec.durationS > 0)) throw new Error(`durationS: expected > 0, got ${spec.durationS}`);
  const rng = new Prng(spec.seed);
  const sched = scheduleOf(spec);
  const endMs = Math.min(spec.durationS * 1000, sched.durationMs);
  const origin = TRACE_EPOCH_MS;
  // stalls, as sorted disjoint intervals (offsets from the origin)
  const stallS: number[] = [];
  const stallE: number[] = [];
  if (spec.stalls && spec.stalls.perS > 0) {
    let t = rng.exp(1000 / spec.stalls.perS);
    while (t < endMs + 60_000) {
      const d = rng.exp(spec.stalls.meanMs);
      stallS.push(t);
      stallE.push(t + d);
      t += d + rng.exp(1000 / spec.stalls.perS);
    }
  }
  let stallPtr = 0;
  /** end of the stall containing x, or x */
  const afterStall = (x: number): number => {
    while (stallPtr < stallS.length && stallE[stallPtr]! <= x) stallPtr++;
    let k = stallPtr;
    let y = x;
    while (k < stallS.length && stallS[k]! <= y) {
      if (stallE[k]! > y) y = stallE[k]!;
      k++;
    }
    return y;
  };
  /** total stall time overlapping [a, b), extending b by each overlap */
  const stretch = (a: number, b: number): number => {
    let k = stallPtr;
    while (k > 0 && stallE[k - 1]! > a) k--;
    let end = b;
    while (k < stallS.length && stallS[k]! < end) {
      const lo = Math.max(stallS[k]!, a);
      if (stallE[k]! > lo) end += stallE[k]! - lo;
      k++;
    }
    return end - b;
  };
  const M = spec.maxVUs;
  const pool = new VuPool(M);
  let cap = Math.ceil(sched.dueBy(endMs)) + 16;
  const start = new Float64Array(cap);
  const iteration = new Float64Array(cap);
  const active = new Float64Array(cap);
  const end = new Float64Array(cap);
  const overhead = new Float64Array(cap);
  const network = new Float64Array(cap);
  const vu = new Int32Array(cap);
  const rejected = new Uint8Array(cap);
  const dropped: number[] = [];
  let n = 0;
  let fire = 0;
  let g = 0;
  const jitter = spec.jitterMs ?? 0.2;
  for (; ; g++) {
    const due = sched.dueAt(g);
    if (!(due < endMs)) break;
    const onTime = Math.max(fire, due + rng.exp(jitter));
    fire = afterStall(onTime);
    // (draws only when asked for, so traces without idle drops stay what they were)
    if (spec.idleDrops !== undefined && fire > onTime && rng.next() < spec.idleDrops) {
      dropped.push(origin + fire);
      continue;
    }
    pool.release(fire);
    const v = pool.take();
    if (v < 0) {
      dropped.push(origin + fire);
      continue;
    }
    const net = rng.lognormal(spec.networkMs + ((spec.networkDriftMsPerMin ?? 0) * fire) / 60_000, 0.3);
    const ovh = spec.overheadMs * (0.7 + 0.6 * rng.next());
    const base = fire + ovh + net;
    const extra = stretch(fire, base);
    const done = afterStall(base + extra);
    if (n === cap) {
      cap = n; // cannot happen: at most dueBy(endMs) + 1 starts
      break;
    }
    start[n] = origin + fire;
    iteration[n] = n;
    active[n] = pool.busy;
    end[n] = origin + done;
    overhead[n] = ovh + extra / 2;
    network[n] = net + extra / 2;
    vu[n] = v;
    if (spec.rejections !== undefined && rng.next() < spec.rejections.share) rejected[n] = 1;
    n++;
    pool.hold(v, done);
  }
  return {
    spec,
    schedule: sched,
    scenarioStartMs: origin,
    start: start.subarray(0, n),
    iteration: iteration.subarray(0, n),
    active: active.subarray(0, n),
    end: end.subarray(0, n),
    overhead: overhead.subarray(0, n),
    network: network.subarray(0, n),
    vu: vu.subarray(0, n),
    rejected: rejected.subarray(0, n),
    length: n,
    dropped: Float64Array.from(dropped),
    due: n + dropped.length,
  };
}

/** Indices of the iterations VU `v` ran, in order (its per-VU view). */
export function iterationsOfVu(trace: GeneratorTrace, v: number): Int32Array {
  let m = 0;
  for (let i = 0; i < trace.length; i++) if (trace.vu[i] === v) m++;
  const out = new Int32Array(m);
  m = 0;
  for (let i = 0; i < trace.length; i++) if (trace.vu[i] === v) out[m++] = i;
  return out;
}
