/**
 * A small discrete-event model of a k6 arrival-rate run against a hub, used to produce k6-shaped
 * output whose truth is known: tests (global figures, gate, steady state), the benchmark, and the
 * rendering of labelled detector scenarios as k6 files.
 *
 * Each runner schedules its share of the global rate like k6's constant/ramping-arrival-rate
 * executor; an iteration needs a free VU at its tick or it is dropped (k6 never queues). A started
 * transfer holds its VU until its outcome (wait mode), so a hub stall exhausts the VUs and causes
 * drops, exactly the cause/consequence situation the analyzer must tell apart from a generator
 * that is short of VUs or CPU.
 *
 * Deterministic: everything random comes from a seeded PRNG.
 */

import { uniformSource } from '../../../node/prng.ts';
import { VuPool } from './vu-pool.ts';

export interface SynthSpec {
  seed?: number;
  /** Epoch ms of the run start (default 2026-11-28T10:00:00Z). */
  startMs?: number;
  durationSec: number;
  /** Number of runners (instance_id 1..N). Default 1. */
  runners?: number;
  /** Tag samples with instance_id / testrun_name (default true). */
  runTags?: boolean;
  testrunName?: string;
  /** 'kit' emits the ml_* metrics as the kit does; 'builtin' only k6's own. Default 'kit'. */
  flavour?: 'kit' | 'builtin';
  /** Global scheduled rate (iterations per second) at time t (s). */
  rate: number | ((t: number) => number);
  /** maxVUs per runner. Default: plenty (no drops unless the hub stalls for long). */
  vusPerRunner?: number;
  /** Hub latency (ms) of a transfer started at t seconds. */
  latency: (t: number, rnd: () => number) => number;
  /**
   * Hub capacity (transfers per second, all runners): the hub completes at most one transfer per
   * 1/capacity seconds, first come first served; above it a queue builds and latency grows until
   * the VUs run out.
   */
  capacityTps?: number;
  /** Hub stalls [from, to) in seconds: nothing completes inside, everything pending completes at `to`. */
  stalls?: [number, number][];
  /** Share of ticks a CPU-starved runner cannot start although VUs are free (dropped), at time t. */
  cpuStarved?: (t: number) => number;
  /** Seconds where the generator stops starting work altogether (drops every tick). */
  generatorPauses?: [number, number][];
  rejectShare?: number;
  timeoutShare?: number;
  rejectCode?: string;
  /** Time after which a transfer counts as timed out, ms (default 2000). */
  timeoutMs?: number;
  /** Runner (1-based) → second at which it stops emitting anything (pod killed). */
  runnerStopsAt?: Record<number, number>;
  /** Schedule lag (ms) emitted per started iteration (kit only), at time t. Default 0–2 ms. */
  lagMs?: (t: number, rnd: () => number) => number;
  /** Client time added to the iteration duration, ms (default 2). */
  overheadMs?: number;
  /** Emit data_sent / data_received / checks like real k6 (default true). */
  extraMetrics?: boolean;
  /** Keep every committed latency in the truth (tests; default false). */
  keepLatencies?: boolean;
}

export interface SynthCounts {
  scheduled: number;
  sent: number;
  committed: number;
  rejected: number;
  timedOut: number;
  dropped: number;
  iterations: number;
}

export interface SynthTruth {
  startMs: number;
  endMs: number;
  counts: SynthCounts;
  perRunner: SynthCounts[];
  /** Committed e2e latencies (ms), when keepLatencies. */
  latencies: number[];
  /** Iterations and committed transfers completed per second of the run (index = second). */
  committedPerSec: number[];
  points: number;
}

export type Tags = Record<string, string>;

/** Receives every sample in (approximately) time order, per runner. */
export interface SynthEmitter {
  /** Declares a metric the first time it is used (JSON `Metric` lines). */
  point(runner: number, metric: string, type: string, timeMs: number, value: number, tags: Tags): void;
  /** Called after each simulated second so writers can flush. */
  second?(t: number): void | Promise<void>;
}

const DEFAULT_START = Date.UTC(2026, 10, 28, 10, 0, 0);

function zeroCounts(): SynthCounts {
  return { scheduled: 0, sent: 0, committed: 0, rejected: 0, timedOut: 0, dropped: 0, iterations: 0 };
}

interface Pending {
  at: number;
  emit: () => void;
}

/**
 * Runs the model and sends every sample to `out`. Completions are emitted when the simulated clock
 * passes them, so each runner's stream is ordered like a real k6 output.
 */
export async function simulate(spec: SynthSpec, out: SynthEmitter): Promise<SynthTruth> {
  const rnd = uniformSource(spec.seed ?? 1);
  const startMs = spec.startMs ?? DEFAULT_START;
  const n = spec.runners ?? 1;
  const kit = (spec.flavour ?? 'kit') === 'kit';
  const extra = spec.extraMetrics ?? true;
  const rateAt = typeof spec.rate === 'number' ? () => spec.rate as number : spec.rate;
  const timeoutMs = spec.timeoutMs ?? 2000;
  const overhead = spec.overheadMs ?? 2;
  const stalls = spec.stalls ?? [];
  const gpauses = spec.generatorPauses ?? [];
  const truth: SynthTruth = {
    startMs,
    endMs: startMs,
    counts: zeroCounts(),
    perRunner: Array.from({ length: n }, zeroCounts),
    latencies: [],
    committedPerSec: new Array(spec.durationSec + 60).fill(0),
    points: 0,
  };
  const runTags = spec.runTags ?? true;
  const testrun = spec.testrunName ?? 'synthetic';
  // Cached tag objects per runner (the writers cache their serialisation by identity).
  const base: Tags[] = [];
  const tagSets = Array.from({ length: n }, (_, r) => {
    const run: Tags = runTags ? { instance_id: String(r + 1), testrun_name: testrun } : {};
    base.push(run);
    const sc = { ...run, group: '', scenario: 'transfers' };
    return {
      run,
      sc,
      drop: { ...run, scenario: 'transfers' },
      committed: { ...sc, outcome: 'committed' },
      rejectedE2e: { ...sc, outcome: 'rejected' },
      rejected: { ...sc, error_code: spec.rejectCode ?? '4001', stage: 'async', phase: 'transfers' },
      phase: { ...sc, phase: 'transfers' },
      http202: { ...sc, method: 'POST', name: 'POST /transfers', status: '202', expected_response: 'true' },
      check: { ...sc, check: 'accepted' },
    };
  });
  const vusMax = spec.vusPerRunner ?? Math.max(10, Math.ceil((rateAt(0) / n) * 4) + 20);
  const pools = Array.from({ length: n }, () => new VuPool(vusMax));
  const nextTick = Array.from({ length: n }, (_, r) => r / Math.max(1, rateAt(0)));
  const pending: Pending[][] = Array.from({ length: n }, () => []);
  const pt = (r: number, metric: string, type: string, tSec: number, value: number, tags: Tags) => {
    truth.points++;
    out.point(r, metric, type, startMs + tSec * 1000, value, tags);
  };
  const inRanges = (t: number, rs: [number, number][]) => rs.some(([a, b]) => t >= a && t < b);
  const stallEnd = (t: number) => {
    for (const [a, b] of stalls) if (t >= a && t < b) return b;
    return t;
  };
  let hubFree = 0;
  const stopped = (r: number, t: number) => {
    const s = spec.runnerStopsAt?.[r + 1];
    return s !== undefined && t >= s;
  };

  for (let sec = 0; sec < spec.durationSec; sec++) {
    for (let r = 0; r < n; r++) {
      const tags = tagSets[r]!;
      const pool = pools[r]!;
      const pend = pending[r]!;
      const counts = truth.perRunner[r]!;
      // Ticks of this second.
      for (;;) {
        const tau = nextTick[r]!;
        if (tau >= sec + 1) break;
        const rate = Math.max(1e-6, rateAt(tau) / n);
        nextTick[r] = tau + 1 / rate;
        if (rateAt(tau) <= 0) continue;
        // Completions up to tau free their VUs.
        pool.release(tau);
        if (stopped(r, tau)) continue;
        counts.scheduled++;
        const starved = spec.cpuStarved !== undefined && rnd() < spec.cpuStarved(tau);
        if (pool.idle === 0 || starved || inRanges(tau, gpauses)) {
          counts.dropped++;
          pt(r, 'dropped_iterations', 'counter', tau, 1, tags.drop);
          continue;
        }
        // Start a transfer.
        counts.sent++;
        const lat = Math.max(0.05, spec.latency(tau, rnd));
        const u = rnd();
        const kind =
          u < (spec.timeoutShare ?? 0)
            ? 'timeout'
            : u < (spec.timeoutShare ?? 0) + (spec.rejectShare ?? 0)
              ? 'rejected'
              : 'committed';
        let done = kind === 'timeout' ? tau + timeoutMs / 1000 : tau + lat / 1000;
        if (kind !== 'timeout' && spec.capacityTps !== undefined) {
          done = Math.max(done, hubFree + 1 / spec.capacityTps);
          hubFree = done;
        }
        if (kind !== 'timeout') {
          const s = stallEnd(done);
          const s0 = stallEnd(tau);
          done = Math.max(s, s0 > tau ? s0 + lat / 1000 : done);
        }
        const e2e = (done - tau) * 1000;
        pool.hold(pool.take(), done); // the VU is held until the outcome (or the timeout)
        if (kit) {
          pt(r, 'ml_transfers_sent', 'counter', tau, 1, tags.sc);
          const lag = spec.lagMs ? spec.lagMs(tau, rnd) : rnd() * 2;
          pt(r, 'ml_schedule_lag', 'trend', tau, lag, tags.sc);
        }
        const httpMs = Math.min(e2e, 5 + rnd() * 3);
        pend.push({
          at: tau + httpMs / 1000,
          emit: () => {
            const t1 = tau + httpMs / 1000;
            pt(r, 'http_reqs', 'counter', t1, 1, tags.http202);
            pt(r, 'http_req_duration', 'trend', t1, kit ? httpMs : e2e, tags.http202);
            pt(r, 'http_req_failed', 'rate', t1, 0, tags.http202);
            if (kit) {
              pt(r, 'ml_transfers_accepted', 'counter', t1, 1, tags.sc);
              pt(r, 'ml_phase_duration', 'trend', t1, httpMs, tags.phase);
            }
          },
        });
        pend.push({
          at: done,
          emit: () => {
            if (kit) {
              if (kind === 'committed') {
                counts.committed++;
                pt(r, 'ml_transfers_committed', 'counter', done, 1, tags.sc);
                pt(r, 'ml_transfer_success', 'rate', done, 1, tags.sc);
                pt(r, 'ml_transfer_over_1s', 'rate', done, e2e > 1000 ? 1 : 0, tags.sc);
                pt(r, 'ml_transfer_e2e', 'trend', done, e2e, tags.committed);
                if (spec.keepLatencies) truth.latencies.push(e2e);
                const s = Math.floor(done);
                if (s < truth.committedPerSec.length) truth.committedPerSec[s]!++;
              } else if (kind === 'rejected') {
                counts.rejected++;
                pt(r, 'ml_transfers_rejected', 'counter', done, 1, tags.rejected);
                pt(r, 'ml_transfer_success', 'rate', done, 0, tags.sc);
                pt(r, 'ml_transfer_over_1s', 'rate', done, e2e > 1000 ? 1 : 0, tags.sc);
                pt(r, 'ml_transfer_e2e', 'trend', done, e2e, tags.rejectedE2e);
              } else {
                counts.timedOut++;
                pt(r, 'ml_transfers_timed_out', 'counter', done, 1, tags.sc);
                pt(r, 'ml_transfer_success', 'rate', done, 0, tags.sc);
                pt(r, 'ml_transfer_over_1s', 'rate', done, 1, tags.sc);
              }
            } else {
              if (spec.keepLatencies) truth.latencies.push(e2e);
              const s = Math.floor(done);
              if (s < truth.committedPerSec.length) truth.committedPerSec[s]!++;
            }
            counts.iterations++;
            if (extra) {
              pt(r, 'checks', 'rate', done, 1, tags.check);
              pt(r, 'data_sent', 'counter', done, 612, tags.sc);
              pt(r, 'data_received', 'counter', done, 380, tags.sc);
            }
            pt(r, 'iteration_duration', 'trend', done, e2e + overhead, tags.sc);
            pt(r, 'iterations', 'counter', done, 1, tags.sc);
          },
        });
      }
      // Emit what completed within this second, in time order.
      if (pend.length > 0) {
        pend.sort((a, b) => a.at - b.at);
        let k = 0;
        while (k < pend.length && pend[k]!.at < sec + 1) {
          if (!stopped(r, pend[k]!.at)) pend[k]!.emit();
          k++;
        }
        pend.splice(0, k);
      }
      // The per-second VU gauges, like k6's 1 s sampler.
      if (!stopped(r, sec + 0.5)) {
        pool.release(sec + 0.5);
        pt(r, 'vus', 'gauge', sec + 0.5, pool.busy, tags.run);
        pt(r, 'vus_max', 'gauge', sec + 0.5, vusMax, tags.run);
      }
    }
    await out.second?.(sec);
  }
  // Drain: the run ends at durationSec; iterations still in flight complete within the drain
  // window (k6's gracefulStop), then everything left is dropped from the output like k6 does for
  // interrupted iterations. To keep the counts reconciled, in-flight transfers complete.
  for (let r = 0; r < n; r++) {
    const pend = pending[r]!.sort((a, b) => a.at - b.at);
    for (const p of pend) if (!stopped(r, p.at)) p.emit();
    pending[r] = [];
  }
  await out.second?.(spec.durationSec);
  for (const c of truth.perRunner) {
    for (const k of Object.keys(c) as (keyof SynthCounts)[]) truth.counts[k] += c[k];
  }
  truth.endMs = startMs + spec.durationSec * 1000;
  return truth;
}
