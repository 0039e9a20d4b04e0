import { Prng } from '../../../node/prng.ts';

/**
 * Labeled synthetic latency traces: what the hub detectors must classify.
 *
 * A trace is a Poisson stream of transfers at `ratePerS`; each has a latency = shape(t) + noise,
 * stamped at its send time `t` (ms from the run start). The shape is the label: flat, a level
 * step, a linear drift, a sawtooth, or GC-like pauses (every transfer in the hub while it is
 * paused waits for the pause to end). `view` keeps only what one of `vus` VUs sees: each transfer
 * goes to a random VU, as k6 hands arrival-rate iterations to whichever VU is idle, so a VU sees
 * about 1/N of the stream. Views are consistent: the same spec with different `vu` partitions one
 * global trace.
 */
export type NoiseModel =
  | { kind: 'normal'; sigmaMs: number }
  /** multiplicative: latency = base x exp(sigma N(0,1)) */
  | { kind: 'lognormal'; sigma: number }
  /** multiplicative, heavy tail: Pareto scaled to median = base; alpha 1.5..3 */
  | { kind: 'pareto'; alpha: number };

export type LatencyShape =
  | { kind: 'flat' }
  | { kind: 'step'; atS: number; deltaMs: number }
  | { kind: 'drift'; startS: number; msPerMin: number }
  | { kind: 'sawtooth'; periodS: number; amplitudeMs: number; phaseS?: number; startS?: number }
  | { kind: 'pauses'; minIntervalS: number; maxIntervalS: number; minMs: number; maxMs: number };

export interface LatencyTraceSpec {
  seed: number;
  durationS: number;
  /** transfers per second, whole stream */
  ratePerS: number;
  /** median latency without shape, ms */
  baseMs: number;
  noise: NoiseModel;
  shape: LatencyShape;
  /** keep only VU `vu` (0-based) of `vus` */
  view?: { vus: number; vu: number };
}

export interface LatencyTrace {
  spec: LatencyTraceSpec;
  /** send time, ms from the run start (ascending) */
  t: Float64Array;
  /** latency, ms */
  v: Float64Array;
  /** VU index (0-based) that saw the sample */
  vu: Uint16Array;
  length: number;
}

function check(spec: LatencyTraceSpec): void {
  const pos = (name: string, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name}: expected a positive number, got ${v}`);
  };
  pos('durationS', spec.durationS);
  pos('ratePerS', spec.ratePerS);
  pos('baseMs', spec.baseMs);
  if (spec.view) {
    const { vus, vu } = spec.view;
    if (!Number.isInteger(vus) || vus < 1 || vus > 65535) {
      throw new Error(`view.vus: expected an integer in 1..65535, got ${vus}`);
    }
    if (!Number.isInteger(vu) || vu < 0 || vu >= vus)
      throw new Error(`view.vu: expected 0..${vus - 1}, got ${vu}`);
  }
  if (spec.shape.kind === 'sawtooth') pos('shape.periodS', spec.shape.periodS);
  if (spec.shape.kind === 'pauses' && !(spec.shape.maxIntervalS >= spec.shape.minIntervalS)) {
    throw new Error('shape.maxIntervalS: expected >= minIntervalS');
  }
}

/** Shape offset (ms) at send time t (ms) for the deterministic shapes. */
export function shapeAt(shape: LatencyShape, tMs: number): number {
  const ts = tMs / 1000;
  switch (shape.kind) {
    case 'flat':
    case 'pauses':
      return 0;
    case 'step':
      return ts >= shape.atS ? shape.deltaMs : 0;
    case 'drift':
      return ts > shape.startS ? ((ts - shape.startS) / 60) * shape.msPerMin : 0;
    case 'sawtooth': {
      const start = shape.startS ?? 0;
      if (ts < start) return 0;
      const x = (ts - start + (shape.phaseS ?? 0)) / shape.periodS;
      return shape.amplitudeMs * (x - Math.floor(x));
    }
  }
}

/**
 * Generates the trace. Memory: three typed arrays of the kept samples (grown by doubling);
 * the RNG stream is the same whatever the view, so views partition the global trace.
 */
export function latencyTrace(spec: LatencyTraceSpec): LatencyTrace {
  check(spec);
  const rng = new Prng(spec.seed);
  const pauseRng = new Prng(spec.seed ^ 0x5bd1e995);
  const vus = spec.view?.vus ?? 1;
  const keep = spec.view ? spec.view.vu : -1;
  const endMs = spec.durationS * 1000;
  const meanGap = 1000 / spec.ratePerS;
  let cap = Math.ceil((spec.durationS * spec.ratePerS * 1.1) / vus) + 16;
  let t: Float64Array = new Float64Array(cap);
  let v: Float64Array = new Float64Array(cap);
  let vu: Uint16Array = new Uint16Array(cap);
  let n = 0;
  // pauses: the current and next pause [pStart, pEnd)
  const shape = spec.shape;
  let pStart = Number.POSITIVE_INFINITY;
  let pEnd = Number.POSITIVE_INFINITY;
  let qStart = Number.POSITIVE_INFINITY;
  let qEnd = Number.POSITIVE_INFINITY;
  const nextPause = (after: number): [number, number] => {
    if (shape.kind !== 'pauses') return [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    const s = after + pauseRng.uniform(shape.minIntervalS, shape.maxIntervalS) * 1000;
    return [s, s + pauseRng.uniform(shape.minMs, shape.maxMs)];
  };
  if (shape.kind === 'pauses') {
    [pStart, pEnd] = nextPause(0);
    [qStart, qEnd] = nextPause(pEnd);
  }
  const noise = spec.noise;
  let now = rng.exp(meanGap);
  while (now < endMs) {
    const who = vus > 1 ? rng.int(vus) : 0;
    let base: number;
    switch (noise.kind) {
      case 'normal':
        base = spec.baseMs + noise.sigmaMs * rng.normal();
        break;
      case 'lognormal':
        base = rng.lognormal(spec.baseMs, noise.sigma);
        break;
      case 'pareto':
        base = rng.pareto(spec.baseMs, noise.alpha);
        break;
    }
    let lat = Math.max(1, base + shapeAt(shape, now));
    if (shape.kind === 'pauses') {
      while (pEnd <= now - 10_000) {
        pStart = qStart;
        pEnd = qEnd;
        [qStart, qEnd] = nextPause(pEnd);
      }
      lat += pauseDelay(now, lat, pStart, pEnd) + pauseDelay(now, lat, qStart, qEnd);
    }
    if (keep < 0 || who === keep) {
      if (n === cap) {
        cap *= 2;
        t = grow(t, cap);
        v = grow(v, cap);
        const nv = new Uint16Array(cap);
        nv.set(vu);
        vu = nv;
      }
      t[n] = now;
      v[n] = lat;
      vu[n] = who;
      n++;
    }
    now += rng.exp(meanGap);
  }
  return { spec, t: t.subarray(0, n), v: v.subarray(0, n), vu: vu.subarray(0, n), length: n };
}

/** Extra wait of a transfer in the hub [send, send + lat) caused by a pause [ps, pe). */
function pauseDelay(send: number, lat: number, ps: number, pe: number): number {
  if (send >= pe || send + lat <= ps) return 0;
  // sent during the pause: waits for its end; in flight when it started: waits the whole pause
  return send >= ps ? pe - send : pe - ps;
}

function grow(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/**
 * The noise of one bucket median for this spec's noise model and bucket width, measured the way
 * the detector measures it (robust spread of first differences of bucket medians) on a flat copy
 * of the trace. Used to express amplitudes and slopes in the detector's own noise units.
 */
export function bucketMedianNoise(spec: LatencyTraceSpec, bucketMs: number): number {
  const flat = latencyTrace({ ...spec, shape: { kind: 'flat' }, seed: spec.seed ^ 0x2545f491 });
  const buckets = Math.floor((spec.durationS * 1000) / bucketMs);
  const meds: number[] = [];
  let i = 0;
  const tmp: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const end = (b + 1) * bucketMs;
    tmp.length = 0;
    while (i < flat.length && flat.t[i]! < end) tmp.push(flat.v[i++]!);
    if (tmp.length === 0) {
      meds.push(Number.NaN);
      continue;
    }
    tmp.sort((a, c) => a - c);
    const h = tmp.length >> 1;
    meds.push(tmp.length & 1 ? tmp[h]! : (tmp[h - 1]! + tmp[h]!) / 2);
  }
  const diffs: number[] = [];
  for (let b = 1; b < meds.length; b++) {
    const d = meds[b]! - meds[b - 1]!;
    if (!Number.isNaN(d)) diffs.push(d);
  }
  diffs.sort((a, c) => a - c);
  const med = diffs[diffs.length >> 1] ?? 0;
  const dev = diffs.map((d) => Math.abs(d - med)).sort((a, c) => a - c);
  return (1.4826 * (dev[dev.length >> 1] ?? 0)) / Math.SQRT2;
}
