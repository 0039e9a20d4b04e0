/**
 * The detectors inside k6: declares the detector metrics (init context) and gives the scenarios a
 * per-iteration probe. Pure logic lives in lib/detectors/vu-probe.ts; this file only reads
 * k6/execution and writes k6/metrics.
 *
 * Usage (the scenario module, init context):
 *
 *     import { createDetectorProbe } from '../k6/detector-probe.ts';
 *     const probe = createDetectorProbe({ scenario: plannedOptions.scenarios.transfers });
 *
 *     export function transfers() {
 *       probe.iterationStarted();
 *       const res = http.post(...);
 *       probe.observeResponse(res);           // or probe.observeNetwork(ms) per response
 *       ...                                   // wait mode: the VU learns the outcome itself
 *       probe.observeLatency(e2eMs);          // each final transfer latency this VU learns
 *       probe.iterationEnded();
 *     }
 *
 *     // collect mode: the collector VU sees every outcome of its runner; make it the hub sentinel
 *     const collectorProbe = createDetectorProbe({ scenario: ..., role: 'collector' });
 *     export function collector() { ...; collectorProbe.observeLatency(ms, arrivedAtMs); collectorProbe.tick(); }
 *
 * - `iterationStarted()` / `iterationEnded()` bracket the iteration: the overhead is the wall time
 *   between them minus what `observeResponse`/`observeNetwork` reported. Report deliberate waits
 *   (sleep, long polls) through `observeNetwork` too, or they count as client overhead.
 * - Per-iteration cost: `Date.now()` twice and a few arithmetic operations in every VU; a sentinel
 *   VU also reads `exec.scenario.iterationInInstance` and `exec.instance.vusActive` each iteration
 *   and runs a detector analysis about once a second (tens of microseconds in V8; more in k6's
 *   interpreter, hence the few sentinels). Other VUs read the iteration counter only on the
 *   sampled iterations (one in `trendEvery`).
 * - Sentinels: VUs with `exec.vu.idInInstance <= sentinels` (default 4) run the detectors. k6 hands
 *   arrival-rate iterations to idle VUs in turn, so every VU, sentinels included, sees ~1/N of them.
 * - This runner's share of the rate and of maxVUs follows k6's real split (rate follows the share
 *   of maxVUs, docs/facts/k6.md#rate-split), computed with lib/plan/segments.ts from
 *   `exec.test.options.executionSegment` on the first iteration.
 * - The probe never fails the test itself (no `exec.test.fail`): the verdict is in the summary and
 *   the thresholds of lib/thresholds/ turn it into exit code 99 (see docs/detectors.md).
 * - A probe that cannot work out its inputs (not an arrival-rate scenario, bad options) disables
 *   its schedule signals and says so once on the console; it never throws into the iteration.
 */
import exec from 'k6/execution';
import { parseDurationMs } from '../config/duration.ts';
import { bucketMsForRate } from '../detectors/hub.ts';
import { type ArrivalSchedule, constantSchedule, rampingSchedule } from '../detectors/schedule.ts';
import { type DetectorSink, trendEveryFor, VuProbe } from '../detectors/vu-probe.ts';
import { kitMetricsBy, type ProbeMetricName } from '../metrics/registry.ts';
import { shareForSegment } from '../plan/segments.ts';
import { type Addable, declareMetric } from './metrics.ts';

declare const console: { warn(...args: unknown[]): void };

// Declared when this module is evaluated, i.e. in the init context of every VU (k6 requires it).
const declared = new Map<string, Addable>();
for (const m of kitMetricsBy('probe')) declared.set(m.name, declareMetric(m));

const k6Sink: DetectorSink = {
  add(metric: ProbeMetricName, value: number): void {
    declared.get(metric)!.add(value);
  },
};

/** The load scenario as planned (whole test; same fields as k6's scenario options). */
export interface ProbeScenario {
  executor: string;
  rate?: number;
  startRate?: number;
  timeUnit?: string;
  stages?: ReadonlyArray<{ target: number; duration: string }>;
  preAllocatedVUs?: number;
  maxVUs?: number;
  vus?: number;
}

export interface DetectorProbeOptions {
  /** the load-generating scenario's options, whole test (or how to get them on the first iteration) */
  scenario: ProbeScenario | (() => ProbeScenario);
  /** 'load' (default): a VU of the scenario; 'collector': the VU that reads every outcome of its runner */
  role?: 'load' | 'collector';
  /** VUs (by idInInstance) that run the detectors; default 4 */
  sentinels?: number;
  /** CPU cores of the runner, when known (enables the JS busy-time check) */
  cpuCores?: number;
  /** false: every call is a no-op (default true) */
  enabled?: boolean;
}

export interface DetectorProbe {
  iterationStarted(): void;
  /** Adds the network time of one k6/http response (`res.timings.duration + res.timings.blocked`). */
  observeResponse(res: { timings: { duration: number; blocked?: number } }): void;
  observeNetwork(ms: number): void;
  /** One final transfer latency, ms, learnt now (or at `atMs`, e.g. the relay's `arrivedAtMs`). */
  observeLatency(latencyMs: number, atMs?: number): void;
  iterationEnded(): void;
  /** Advance the detectors' clocks without an iteration (collector loops). */
  tick(): void;
}

/** Milliseconds of a k6 duration string (`1s`, `1m`, `1m30s`), or `fallback` when absent. */
export function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    throw new Error(`duration: expected a k6 duration such as "1s" or "1m30s", got ${JSON.stringify(text)}`);
  }
  return ms;
}

interface Resolved {
  probe: VuProbe;
  sentinel: boolean;
}

export function createDetectorProbe(opts: DetectorProbeOptions): DetectorProbe {
  const enabled = opts.enabled ?? true;
  const sentinels = opts.sentinels ?? 4;
  const role = opts.role ?? 'load';
  let resolved: Resolved | undefined;
  let failed = false;

  const resolve = (): Resolved | undefined => {
    if (resolved || failed) return resolved;
    try {
      resolved = build(opts, role, sentinels);
    } catch (e) {
      failed = true;
      console.warn(`detector probe disabled: ${(e as Error).message}`);
    }
    return resolved;
  };

  if (!enabled) {
    const noop = () => {};
    return {
      iterationStarted: noop,
      observeResponse: noop,
      observeNetwork: noop,
      observeLatency: noop,
      iterationEnded: noop,
      tick: noop,
    };
  }

  return {
    iterationStarted(): void {
      const r = resolve();
      if (!r) return;
      const now = Date.now();
      const needCounter = r.sentinel || r.probe.samplesNext;
      const iteration = needCounter ? exec.scenario.iterationInInstance : Number.NaN;
      const active = r.sentinel ? exec.instance.vusActive : Number.NaN;
      r.probe.iterationStarted(now, iteration, active);
    },
    observeResponse(res): void {
      resolved?.probe.observeNetwork(res.timings.duration + (res.timings.blocked ?? 0));
    },
    observeNetwork(ms: number): void {
      resolved?.probe.observeNetwork(ms);
    },
    observeLatency(latencyMs: number, atMs?: number): void {
      const r = resolve();
      if (r?.sentinel) r.probe.observeLatency(latencyMs, atMs ?? Date.now());
    },
    iterationEnded(): void {
      resolved?.probe.iterationEnded(Date.now());
    },
    tick(): void {
      resolve()?.probe.tick(Date.now());
    },
  };
}

function build(opts: DetectorProbeOptions, role: 'load' | 'collector', sentinels: number): Resolved {
  const sc = typeof opts.scenario === 'function' ? opts.scenario() : opts.scenario;
  const o = exec.test.options as unknown as {
    executionSegment?: string | null;
    executionSegmentSequence?: string | null;
  };
  const arrival = sc.executor === 'constant-arrival-rate' || sc.executor === 'ramping-arrival-rate';
  const unitMs = durationMs(sc.timeUnit, 1000);
  const globalMax = sc.maxVUs ?? sc.preAllocatedVUs ?? sc.vus ?? 1;
  let schedule: ArrivalSchedule | undefined;
  let runnerMax = globalMax;
  let runnerRate = 0;
  if (arrival) {
    const rate =
      sc.executor === 'constant-arrival-rate'
        ? (sc.rate ?? 0)
        : Math.max(...(sc.stages ?? []).map((s) => s.target), sc.startRate ?? 0);
    const share = shareForSegment(
      { rate, timeUnitMs: unitMs, preAllocatedVUs: sc.preAllocatedVUs ?? globalMax, maxVUs: globalMax },
      o.executionSegment ?? null,
      o.executionSegmentSequence ?? null,
    );
    runnerMax = Math.max(1, share.maxVUs);
    runnerRate = share.perSecond;
    const fraction = share.maxVUs / globalMax;
    if (sc.executor === 'constant-arrival-rate') {
      if (share.perSecond > 0) schedule = constantSchedule({ rate: share.perSecond });
    } else {
      schedule = rampingSchedule({
        startRate: sc.startRate ?? 0,
        timeUnitMs: unitMs,
        stages: (sc.stages ?? []).map((s) => ({ durationMs: durationMs(s.duration, 0), target: s.target })),
        share: fraction > 0 ? fraction : 1,
      });
    }
  }
  const isLoadSentinel = role === 'load' && exec.vu.idInInstance <= sentinels;
  const sentinel = role === 'collector' || isLoadSentinel;
  // a load VU sees ~1/maxVUs of the outcomes; the collector sees all of its runner's
  const latencyPerS = role === 'collector' ? runnerRate : runnerRate / runnerMax;
  const probe = new VuProbe(
    {
      sentinel,
      maxVUs: runnerMax,
      ...(schedule && role === 'load' ? { schedule, scenarioStartMs: exec.scenario.startTime } : {}),
      trendEvery: trendEveryFor(runnerRate),
      hubBucketMs: bucketMsForRate(latencyPerS > 0 ? latencyPerS : 1),
      ...(opts.cpuCores ? { cpuCores: opts.cpuCores } : {}),
    },
    k6Sink,
  );
  return { probe, sentinel };
}
