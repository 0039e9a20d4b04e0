/**
 * Fault and latency profiles: how the simulated hub and DFSPs misbehave on purpose, so the
 * detectors and the analyzer can be rehearsed against a known cause. Chosen at start
 * (`--faults <preset|JSON|@file>`, env `SIM_FAULTS`) and switchable at run time with
 * `PUT /admin/faults` (`GET` reads the active one). See sim/README.md for what each profile does and
 * what a correct diagnosis says.
 *
 * All latency is injected with the simulator's timer heap, never by blocking the event loop.
 * Randomness comes from a seeded PRNG (`seed`), so a profile replays the same choices.
 */

import { ERROR_CODE } from '../../lib/protocol/patterns.ts';
import { uniformSource } from '../../node/prng.ts';
import { isRecord } from './message.ts';

export type Leg = 'prepare' | 'fulfil' | 'payee' | 'lookup';
export const LEGS: readonly Leg[] = ['prepare', 'fulfil', 'payee', 'lookup'];

export type LatencyDist =
  | { dist: 'fixed'; ms: number }
  | { dist: 'uniform'; minMs: number; maxMs: number }
  | { dist: 'exponential'; meanMs: number }
  | { dist: 'lognormal'; p50Ms: number; p99Ms: number };

export type ErrorSite = 'hub' | 'payee' | 'sync';

export interface ErrorRule {
  /** FSPIOP error code (four digits). */
  code: string;
  /** Probability per transfer, 0..1. */
  rate: number;
  /**
   * `hub`: the hub aborts the prepare and sends the error to the payer (4001/4200/3100/2001...);
   * `payee`: the payee answers PUT /transfers/{ID}/error (5xxx...); `sync`: the hub answers the
   * POST synchronously with this code (e.g. 2003 -> HTTP 503). Default: payee for 5xxx, hub otherwise.
   */
  at?: ErrorSite;
}

export interface FaultProfile {
  /** Label shown by GET /admin/faults (presets set it). */
  name?: string;
  /** Base latency per leg: prepare (hub, before forwarding to the payee), fulfil (hub, before notifying the payer), payee (DFSP think time), lookup (hub parties/quotes). */
  latency?: Partial<Record<Leg, LatencyDist>>;
  /** GC-like sawtooth on the hub legs: extra latency rising linearly from 0 to peakMs over periodMs, then dropping to 0. */
  sawtooth?: { periodMs: number; peakMs: number };
  /** Queue build-up: the hub's prepare stage serves at most ratePerSec (single FIFO server). */
  queue?: { ratePerSec: number; maxQueued?: number };
  /** Extra latency for one payee (or all when fspId is left out). */
  slowPayee?: { fspId?: string; latency: LatencyDist };
  errors?: ErrorRule[];
  /** Hub -> DFSP callbacks silently dropped with this probability. */
  callbackLoss?: { rate: number; to?: 'payer' | 'payee' | 'any' };
  /** Hub -> payer transfer callbacks sent twice with this probability. */
  duplicateCallbacks?: { rate: number };
  /** The payee's clock is off: its completedTimestamp is shifted by payeeMs (hub window: +200 ms / -300 s). */
  clockSkew?: { payeeMs: number };
  /** PRNG seed (default 1). */
  seed?: number;
}

export const PRESETS: Readonly<Record<string, FaultProfile>> = {
  none: { name: 'none' },
  latency: {
    name: 'latency',
    latency: {
      prepare: { dist: 'lognormal', p50Ms: 3, p99Ms: 15 },
      fulfil: { dist: 'lognormal', p50Ms: 3, p99Ms: 15 },
      payee: { dist: 'lognormal', p50Ms: 2, p99Ms: 10 },
      lookup: { dist: 'lognormal', p50Ms: 2, p99Ms: 10 },
    },
  },
  'gc-sawtooth': { name: 'gc-sawtooth', sawtooth: { periodMs: 20_000, peakMs: 400 } },
  queue: { name: 'queue', queue: { ratePerSec: 800, maxQueued: 50_000 } },
  'slow-payee': {
    name: 'slow-payee',
    slowPayee: { fspId: 'payeefsp', latency: { dist: 'lognormal', p50Ms: 800, p99Ms: 2500 } },
  },
  errors: {
    name: 'errors',
    errors: [
      { code: '4001', rate: 0.02, at: 'hub' },
      { code: '5100', rate: 0.02, at: 'payee' },
      { code: '2003', rate: 0.01, at: 'sync' },
    ],
  },
  'callback-loss': { name: 'callback-loss', callbackLoss: { rate: 0.02, to: 'payer' } },
  duplicates: { name: 'duplicates', duplicateCallbacks: { rate: 0.05 } },
  'clock-skew': { name: 'clock-skew', clockSkew: { payeeMs: 1000 } },
};

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

function num(v: unknown, where: string, min: number, max: number): Checked<number> {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    return { ok: false, error: `${where}: expected a number in ${min}..${max}, got ${JSON.stringify(v)}` };
  }
  return { ok: true, value: v };
}

function only(obj: Record<string, unknown>, where: string, keys: string[]): string | undefined {
  for (const k of Object.keys(obj))
    if (!keys.includes(k)) return `${where}.${k}: unknown field (expected ${keys.join(', ')})`;
  return undefined;
}

const MAX_MS = 600_000;

function checkDist(v: unknown, where: string): Checked<LatencyDist> {
  if (!isRecord(v)) return { ok: false, error: `${where}: expected {dist, ...}` };
  const fields = (...ks: string[]): Checked<number[]> => {
    const bad = only(v, where, ['dist', ...ks]);
    if (bad) return { ok: false, error: bad };
    const out: number[] = [];
    for (const k of ks) {
      const n = num(v[k], `${where}.${k}`, 0, MAX_MS);
      if (!n.ok) return n;
      out.push(n.value);
    }
    return { ok: true, value: out };
  };
  switch (v.dist) {
    case 'fixed': {
      const f = fields('ms');
      return f.ok ? { ok: true, value: { dist: 'fixed', ms: f.value[0]! } } : f;
    }
    case 'uniform': {
      const f = fields('minMs', 'maxMs');
      if (!f.ok) return f;
      if (f.value[1]! < f.value[0]!) return { ok: false, error: `${where}.maxMs: must be >= minMs` };
      return { ok: true, value: { dist: 'uniform', minMs: f.value[0]!, maxMs: f.value[1]! } };
    }
    case 'exponential': {
      const f = fields('meanMs');
      return f.ok ? { ok: true, value: { dist: 'exponential', meanMs: f.value[0]! } } : f;
    }
    case 'lognormal': {
      const f = fields('p50Ms', 'p99Ms');
      if (!f.ok) return f;
      if (!(f.value[0]! > 0) || f.value[1]! < f.value[0]!) {
        return { ok: false, error: `${where}: lognormal needs 0 < p50Ms <= p99Ms` };
      }
      return { ok: true, value: { dist: 'lognormal', p50Ms: f.value[0]!, p99Ms: f.value[1]! } };
    }
    default:
      return {
        ok: false,
        error: `${where}.dist: expected "fixed", "uniform", "exponential" or "lognormal", got ${JSON.stringify(v.dist)}`,
      };
  }
}

/**
 * Validates a fault profile: a preset name, or an object. Errors name the field and what was
 * expected; unknown fields are refused (a typo must not silently disable a fault).
 */
export function parseFaultProfile(raw: unknown): Checked<FaultProfile> {
  if (typeof raw === 'string') {
    const p = PRESETS[raw];
    if (!p)
      return {
        ok: false,
        error: `faults: unknown preset ${JSON.stringify(raw)} (expected ${Object.keys(PRESETS).join(', ')} or a JSON profile)`,
      };
    return { ok: true, value: structuredClone(p) };
  }
  if (!isRecord(raw)) return { ok: false, error: 'faults: expected a preset name or an object' };
  const bad = only(raw, 'faults', [
    'name',
    'latency',
    'sawtooth',
    'queue',
    'slowPayee',
    'errors',
    'callbackLoss',
    'duplicateCallbacks',
    'clockSkew',
    'seed',
  ]);
  if (bad) return { ok: false, error: bad };
  const out: FaultProfile = {};
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.length > 64)
      return { ok: false, error: 'faults.name: expected a short string' };
    out.name = raw.name;
  }
  if (raw.seed !== undefined) {
    const s = num(raw.seed, 'faults.seed', 0, 2 ** 32 - 1);
    if (!s.ok) return s;
    out.seed = s.value;
  }
  if (raw.latency !== undefined) {
    if (!isRecord(raw.latency))
      return { ok: false, error: 'faults.latency: expected {prepare?, fulfil?, payee?, lookup?}' };
    const b = only(raw.latency, 'faults.latency', [...LEGS]);
    if (b) return { ok: false, error: b };
    out.latency = {};
    for (const leg of LEGS) {
      if (raw.latency[leg] === undefined) continue;
      const d = checkDist(raw.latency[leg], `faults.latency.${leg}`);
      if (!d.ok) return d;
      out.latency[leg] = d.value;
    }
  }
  if (raw.sawtooth !== undefined) {
    const s = raw.sawtooth;
    if (!isRecord(s)) return { ok: false, error: 'faults.sawtooth: expected {periodMs, peakMs}' };
    const b = only(s, 'faults.sawtooth', ['periodMs', 'peakMs']);
    if (b) return { ok: false, error: b };
    const period = num(s.periodMs, 'faults.sawtooth.periodMs', 100, 3_600_000);
    if (!period.ok) return period;
    const peak = num(s.peakMs, 'faults.sawtooth.peakMs', 0, MAX_MS);
    if (!peak.ok) return peak;
    out.sawtooth = { periodMs: period.value, peakMs: peak.value };
  }
  if (raw.queue !== undefined) {
    const q = raw.queue;
    if (!isRecord(q)) return { ok: false, error: 'faults.queue: expected {ratePerSec, maxQueued?}' };
    const b = only(q, 'faults.queue', ['ratePerSec', 'maxQueued']);
    if (b) return { ok: false, error: b };
    const rate = num(q.ratePerSec, 'faults.queue.ratePerSec', 1, 1_000_000);
    if (!rate.ok) return rate;
    out.queue = { ratePerSec: rate.value };
    if (q.maxQueued !== undefined) {
      const m = num(q.maxQueued, 'faults.queue.maxQueued', 1, 1_000_000);
      if (!m.ok) return m;
      out.queue.maxQueued = Math.floor(m.value);
    }
  }
  if (raw.slowPayee !== undefined) {
    const s = raw.slowPayee;
    if (!isRecord(s)) return { ok: false, error: 'faults.slowPayee: expected {fspId?, latency}' };
    const b = only(s, 'faults.slowPayee', ['fspId', 'latency']);
    if (b) return { ok: false, error: b };
    if (s.fspId !== undefined && (typeof s.fspId !== 'string' || s.fspId.length === 0)) {
      return { ok: false, error: 'faults.slowPayee.fspId: expected an FSP id' };
    }
    const d = checkDist(s.latency, 'faults.slowPayee.latency');
    if (!d.ok) return d;
    out.slowPayee = { latency: d.value };
    if (typeof s.fspId === 'string') out.slowPayee.fspId = s.fspId;
  }
  if (raw.errors !== undefined) {
    if (!Array.isArray(raw.errors) || raw.errors.length > 32)
      return { ok: false, error: 'faults.errors: expected an array of {code, rate, at?}' };
    out.errors = [];
    for (let i = 0; i < raw.errors.length; i++) {
      const e = raw.errors[i];
      const where = `faults.errors[${i}]`;
      if (!isRecord(e)) return { ok: false, error: `${where}: expected {code, rate, at?}` };
      const b = only(e, where, ['code', 'rate', 'at']);
      if (b) return { ok: false, error: b };
      if (typeof e.code !== 'string' || !ERROR_CODE.test(e.code)) {
        return {
          ok: false,
          error: `${where}.code: expected a four-digit FSPIOP error code such as "4001", got ${JSON.stringify(e.code)}`,
        };
      }
      const rate = num(e.rate, `${where}.rate`, 0, 1);
      if (!rate.ok) return rate;
      if (e.at !== undefined && e.at !== 'hub' && e.at !== 'payee' && e.at !== 'sync') {
        return {
          ok: false,
          error: `${where}.at: expected "hub", "payee" or "sync", got ${JSON.stringify(e.at)}`,
        };
      }
      out.errors.push({
        code: e.code,
        rate: rate.value,
        at: (e.at as ErrorSite | undefined) ?? (e.code.startsWith('5') ? 'payee' : 'hub'),
      });
    }
  }
  if (raw.callbackLoss !== undefined) {
    const c = raw.callbackLoss;
    if (!isRecord(c)) return { ok: false, error: 'faults.callbackLoss: expected {rate, to?}' };
    const b = only(c, 'faults.callbackLoss', ['rate', 'to']);
    if (b) return { ok: false, error: b };
    const rate = num(c.rate, 'faults.callbackLoss.rate', 0, 1);
    if (!rate.ok) return rate;
    if (c.to !== undefined && c.to !== 'payer' && c.to !== 'payee' && c.to !== 'any') {
      return { ok: false, error: 'faults.callbackLoss.to: expected "payer", "payee" or "any"' };
    }
    out.callbackLoss = { rate: rate.value, to: (c.to as 'payer' | 'payee' | 'any' | undefined) ?? 'payer' };
  }
  if (raw.duplicateCallbacks !== undefined) {
    const c = raw.duplicateCallbacks;
    if (!isRecord(c)) return { ok: false, error: 'faults.duplicateCallbacks: expected {rate}' };
    const b = only(c, 'faults.duplicateCallbacks', ['rate']);
    if (b) return { ok: false, error: b };
    const rate = num(c.rate, 'faults.duplicateCallbacks.rate', 0, 1);
    if (!rate.ok) return rate;
    out.duplicateCallbacks = { rate: rate.value };
  }
  if (raw.clockSkew !== undefined) {
    const c = raw.clockSkew;
    if (!isRecord(c)) return { ok: false, error: 'faults.clockSkew: expected {payeeMs}' };
    const b = only(c, 'faults.clockSkew', ['payeeMs']);
    if (b) return { ok: false, error: b };
    const ms = num(c.payeeMs, 'faults.clockSkew.payeeMs', -86_400_000, 86_400_000);
    if (!ms.ok) return ms;
    out.clockSkew = { payeeMs: ms.value };
  }
  return { ok: true, value: out };
}

/** The standard normal quantile of 0.99, to turn a lognormal's p99/p50 ratio into sigma. */
const Z99 = 2.3263478740408408;

/** Live fault state: the active profile plus the queue model and counters. */
export class Faults {
  private profileValue: FaultProfile = { name: 'none' };
  private rng: () => number = uniformSource(1);
  private appliedAt = Date.now();
  /** Queue model: when the single prepare server becomes free. */
  private busyUntilMs = 0;
  readonly counters = {
    injectedErrors: {} as Record<string, number>,
    callbacksLost: 0,
    callbacksDuplicated: 0,
    queueRejected: 0,
  };

  constructor(profile?: FaultProfile) {
    if (profile) this.set(profile);
  }

  get profile(): FaultProfile {
    return this.profileValue;
  }

  /** When the active profile was applied (the sawtooth's phase origin). */
  get appliedAtMs(): number {
    return this.appliedAt;
  }

  /** Replaces the active profile (already validated). Resets the PRNG, sawtooth phase and queue. */
  set(profile: FaultProfile): void {
    this.profileValue = profile;
    this.rng = uniformSource(profile.seed ?? 1);
    this.appliedAt = Date.now();
    this.busyUntilMs = 0;
  }

  random(): number {
    return this.rng();
  }

  sample(d: LatencyDist): number {
    switch (d.dist) {
      case 'fixed':
        return d.ms;
      case 'uniform':
        return d.minMs + (d.maxMs - d.minMs) * this.rng();
      case 'exponential':
        return -d.meanMs * Math.log(1 - this.rng());
      case 'lognormal': {
        // Box-Muller normal draw; sigma chosen so that the 99th percentile is p99Ms.
        const u1 = this.rng() || 1e-12;
        const u2 = this.rng();
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        const sigma = Math.log(d.p99Ms / d.p50Ms) / Z99;
        return Math.min(d.p50Ms * Math.exp(sigma * z), MAX_MS);
      }
    }
  }

  /** Extra latency (ms) of a leg now. `fspId` is the payee for the payee leg. */
  delayMs(leg: Leg, nowMs: number, fspId?: string): number {
    const p = this.profileValue;
    let ms = 0;
    const base = p.latency?.[leg];
    if (base) ms += this.sample(base);
    if (p.sawtooth && (leg === 'prepare' || leg === 'fulfil')) {
      const phase =
        (((nowMs - this.appliedAt) % p.sawtooth.periodMs) + p.sawtooth.periodMs) % p.sawtooth.periodMs;
      ms += (p.sawtooth.peakMs * phase) / p.sawtooth.periodMs;
    }
    if (leg === 'payee' && p.slowPayee && (p.slowPayee.fspId === undefined || p.slowPayee.fspId === fspId)) {
      ms += this.sample(p.slowPayee.latency);
    }
    return ms;
  }

  /**
   * Queue model for the prepare stage: one FIFO server at `ratePerSec`. Returns the wait until this
   * arrival's service completes (it grows linearly while arrivals outpace the rate), or -1 when
   * `maxQueued` arrivals are already ahead of it (refused with 2003 to keep memory bounded).
   */
  queueDelayMs(nowMs: number): number {
    const q = this.profileValue.queue;
    if (!q) return 0;
    const serviceMs = 1000 / q.ratePerSec;
    const start = Math.max(nowMs, this.busyUntilMs);
    // Arrivals ahead of this one (in service or waiting), counted in whole arrivals: two arrivals in
    // the same millisecond see the same queue as two a moment apart.
    const ahead = Math.ceil((start - nowMs) / serviceMs - 1e-9);
    if (ahead >= (q.maxQueued ?? 50_000)) {
      this.counters.queueRejected++;
      return -1;
    }
    this.busyUntilMs = start + serviceMs;
    return this.busyUntilMs - nowMs;
  }

  /** The error code to inject at `site` for this transfer, if any. */
  injectedError(site: ErrorSite): string | undefined {
    const rules = this.profileValue.errors;
    if (!rules) return undefined;
    for (const r of rules) {
      if (r.at === site && r.rate > 0 && this.rng() < r.rate) {
        this.counters.injectedErrors[r.code] = (this.counters.injectedErrors[r.code] ?? 0) + 1;
        return r.code;
      }
    }
    return undefined;
  }

  /** Whether to drop this hub -> DFSP callback. */
  loseCallback(to: 'payer' | 'payee'): boolean {
    const c = this.profileValue.callbackLoss;
    if (!c || c.rate <= 0 || (c.to !== 'any' && c.to !== to)) return false;
    if (this.rng() >= c.rate) return false;
    this.counters.callbacksLost++;
    return true;
  }

  /** Whether to send this hub -> payer callback twice. */
  duplicateCallback(): boolean {
    const d = this.profileValue.duplicateCallbacks;
    if (!d || d.rate <= 0 || this.rng() >= d.rate) return false;
    this.counters.callbacksDuplicated++;
    return true;
  }

  get payeeClockSkewMs(): number {
    return this.profileValue.clockSkew?.payeeMs ?? 0;
  }
}
