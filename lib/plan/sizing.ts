/**
 * VU sizing for arrival-rate scenarios by Little's law, in exact arithmetic.
 *
 * A VU is busy for the latency L of whatever holds it (the POST alone in collect mode, the whole
 * flow otherwise). At an arrival rate λ, λ·L VUs are busy on average; the pool adds headroom for
 * spikes:
 *
 *     VUs = ceil(λ · L · headroom), rounded UP to a multiple of PARALLELISM, at least PARALLELISM
 *     maxVUs = preAllocatedVUs = VUs
 *
 * maxVUs = preAllocatedVUs because k6 creates missing VUs one at a time, only after a drop
 * (docs/facts/k6.md#vu-allocation). The multiple of PARALLELISM is what makes k6 give every runner exactly
 * λ/PARALLELISM: it splits the rate by each runner's share of maxVUs (docs/facts/k6.md#rate-split, lib/plan/segments.ts).
 *
 * Pure and k6-safe: the load profiles call it in the init context; the planner prints its
 * `arithmetic`.
 */
import { VU_HEADROOM } from '../config/profiles.ts';
import {
  cmp,
  decimalString,
  mul,
  ONE,
  type Rat,
  rat,
  ceil as ratCeil,
  ratFromNumber,
  ZERO,
} from './rational.ts';
import { MAX_PARALLELISM } from './segments.ts';

/** Default headroom over Little's law (VU_HEADROOM of the load profiles, lib/config/profiles.ts). */
export const DEFAULT_HEADROOM: number = VU_HEADROOM;

export interface SizeVusInput {
  /** Highest arrival rate the scenario reaches, transfers/s, whole test (all runners). */
  targetTps: number;
  /** Latency of what holds a VU, ms. */
  holdMs: number;
  /** ≥ 1; default DEFAULT_HEADROOM. */
  headroom?: number;
  /** Number of k6 runners (k6-operator parallelism); default 1. */
  parallelism?: number;
}

export interface VuSizing {
  /** preAllocatedVUs = maxVUs for the whole test. */
  vus: number;
  preAllocatedVUs: number;
  maxVUs: number;
  /** VUs each runner gets (k6's split; all equal because vus is a multiple of parallelism). */
  perRunner: number[];
  /** ceil(λ · L · headroom) before rounding to the parallelism. */
  littleVus: number;
  /** λ · L · headroom exactly. */
  exact: Rat;
  parallelism: number;
  /** One line that shows the computation, for logs and the planner. */
  arithmetic: string;
}

function positive(x: number, field: string, expected: string): Rat {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new Error(`${field}: expected ${expected}, got ${x}`);
  }
  return ratFromNumber(x, field);
}

/** Little's-law VU pool, a multiple of `parallelism` and at least one VU per runner. */
export function sizeVus(input: SizeVusInput): VuSizing {
  const tps = positive(input.targetTps, 'targetTps', 'a positive number of transfers per second');
  const hold = positive(input.holdMs, 'holdMs', 'a positive latency in ms');
  const headroomIn = input.headroom ?? DEFAULT_HEADROOM;
  const headroom = positive(headroomIn, 'headroom', 'a number ≥ 1');
  if (cmp(headroom, ONE) < 0) throw new Error(`headroom: expected a number ≥ 1, got ${headroomIn}`);
  const p = input.parallelism ?? 1;
  if (!Number.isInteger(p) || p < 1 || p > MAX_PARALLELISM) {
    throw new Error(`parallelism: expected an integer 1..${MAX_PARALLELISM}, got ${p}`);
  }
  const exact = mul(mul(tps, mul(hold, rat(1, 1000))), headroom);
  const little = cmp(exact, ZERO) > 0 ? ratCeil(exact) : 1n;
  const needed = little < 1n ? 1n : little;
  const P = BigInt(p);
  const rounded = ((needed + P - 1n) / P) * P;
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error(`targetTps × holdMs is too large (${rounded} VUs)`);
  const vus = Number(rounded);
  // vus is a multiple of p, so k6's striping gives everyone the same; splitInt would agree (tested).
  const perRunner: number[] = new Array(p).fill(vus / p);
  const arithmetic =
    `VUs = ceil(${input.targetTps}/s × ${decimalString(mul(hold, rat(1, 1000)), 4)} s × headroom ${headroomIn})` +
    ` = ceil(${decimalString(exact, 3)}) = ${needed}` +
    (p > 1 ? `; rounded up to a multiple of parallelism ${p}: ${vus} (${perRunner[0]} per runner)` : '') +
    `; maxVUs = preAllocatedVUs = ${vus}`;
  return {
    vus,
    preAllocatedVUs: vus,
    maxVUs: vus,
    perRunner,
    littleVus: Number(needed),
    exact,
    parallelism: p,
    arithmetic,
  };
}
