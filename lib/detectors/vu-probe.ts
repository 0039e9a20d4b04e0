import { METRIC, type ProbeMetricName } from '../metrics/registry.ts';
import type { GeneratorDetector, GeneratorDetectorOptions } from './generator.ts';
import type { HubDetector, HubDetectorOptions } from './hub.ts';
import type { ArrivalSchedule } from './schedule.ts';
import { createGeneratorDetector, createHubDetector } from './sentinel.lazy.ts';

/**
 * What one VU does with the detectors, without k6: the pure core of lib/k6/detector-probe.ts (and
 * usable as is by the Node driver for rehearsals).
 *
 * Every VU samples the two Trends (schedule lag, client overhead) on one iteration in
 * `trendEvery`, so the runner stores about 50 samples/s whatever its rate (k6 keeps every Trend
 * sample for the whole run). Only sentinel VUs run the detectors and emit the checks (Rates) and
 * Gauges: the generator signals are runner-wide (every VU sees the same lag, counter and active
 * VUs), and the hub signals are the same process seen through a different 1/N sample, so a few
 * sentinels carry the information at a bounded CPU cost per runner.
 */
export interface DetectorSink {
  add(metric: ProbeMetricName, value: number): void;
}

export interface VuProbeOptions {
  /** run the detectors and emit the checks in this VU */
  sentinel: boolean;
  /** this runner's maxVUs for the scenario (headroom denominator) */
  maxVUs: number;
  /** this runner's arrival schedule; omit for closed-model executors */
  schedule?: ArrivalSchedule;
  /** exec.scenario.startTime, ms (required with a schedule) */
  scenarioStartMs?: number;
  /** sample one iteration in this many into the Trends (>= 1) */
  trendEvery: number;
  /** bucket width of this VU's latency view, ms (see bucketMsForRate) */
  hubBucketMs: number;
  /** CPU cores of the runner, when known */
  cpuCores?: number;
  /** hub analyses every this many seconds (default 5: k6 interprets JS, analyses cost ms there) */
  hubAnalysisEveryS?: number;
  /** extra hub detector options (windows, persistence; e.g. compressed for a short rehearsal) */
  hubOptions?: HubDetectorOptions;
  /** extra generator detector options */
  generatorOptions?: Partial<GeneratorDetectorOptions>;
}

export class VuProbe {
  private readonly gen: GeneratorDetector | undefined;
  private readonly hub: HubDetector | undefined;
  private readonly schedule: ArrivalSchedule | undefined;
  private readonly startMs: number;
  private readonly trendEvery: number;
  private iterations = 0;
  private iterStart = Number.NaN;
  private networkMs = 0;
  private sampled = false;
  private pausesSeen = 0;

  constructor(
    opts: VuProbeOptions,
    private readonly sink: DetectorSink,
  ) {
    if (!(opts.trendEvery >= 1))
      throw new Error(`trendEvery: expected an integer >= 1, got ${opts.trendEvery}`);
    this.schedule = opts.schedule;
    this.startMs = opts.scenarioStartMs ?? 0;
    this.trendEvery = Math.floor(opts.trendEvery);
    if (opts.sentinel) {
      this.gen = createGeneratorDetector({
        ...opts.generatorOptions,
        maxVUs: opts.maxVUs,
        ...(opts.schedule ? { schedule: opts.schedule, scenarioStartMs: opts.scenarioStartMs } : {}),
        ...(opts.cpuCores ? { cpuCores: opts.cpuCores } : {}),
      });
      this.hub = createHubDetector({
        analysisEveryS: opts.hubAnalysisEveryS ?? 5,
        ...opts.hubOptions,
        bucketMs: opts.hubBucketMs,
      });
    }
  }

  /** True for sentinel VUs (those that run the detectors). */
  get isSentinel(): boolean {
    return this.gen !== undefined;
  }

  /** Does this iteration feed the sampled Trends? (decides whether the caller must read the counter) */
  get samplesNext(): boolean {
    return (this.iterations + 1) % this.trendEvery === 0;
  }

  get generatorState() {
    return this.gen?.state;
  }

  get hubState() {
    return this.hub?.state;
  }

  /**
   * An iteration starts at `nowMs`; `iteration` = exec.scenario.iterationInInstance and `vusActive`
   * = exec.instance.vusActive (pass NaN for either when not read: only sentinels and sampled
   * iterations need them).
   */
  iterationStarted(nowMs: number, iteration: number, vusActive: number): void {
    this.iterations++;
    this.iterStart = nowMs;
    this.networkMs = 0;
    this.sampled = this.iterations % this.trendEvery === 0;
    if (this.sampled && this.schedule && !Number.isNaN(iteration)) {
      const lag = nowMs - (this.startMs + this.schedule.dueAt(iteration));
      this.sink.add(METRIC.scheduleLag, Math.max(lag, 0));
    }
    if (this.gen && !Number.isNaN(iteration) && !Number.isNaN(vusActive)) {
      if (this.gen.iterationStarted(nowMs, iteration, vusActive)) this.emitGenerator();
    }
  }

  /** Time this iteration spent waiting on the network (sum of response timings), ms. */
  observeNetwork(ms: number): void {
    if (ms > 0) this.networkMs += ms;
  }

  /** One end-to-end transfer latency (ms), observed at `atMs`. */
  observeLatency(latencyMs: number, atMs: number): void {
    if (this.hub && latencyMs >= 0 && this.hub.add(atMs, latencyMs)) this.emitHub();
  }

  iterationEnded(nowMs: number): void {
    const start = this.iterStart;
    this.iterStart = Number.NaN;
    if (Number.isNaN(start)) return;
    const overhead = Math.max(0, nowMs - start - this.networkMs);
    if (this.sampled) this.sink.add(METRIC.clientOverhead, overhead);
    if (this.gen?.iterationEnded(nowMs, overhead)) this.emitGenerator();
    if (this.hub?.advance(nowMs)) this.emitHub();
  }

  /** Moves the detectors' clocks (for a VU that observes without iterating on a schedule). */
  tick(nowMs: number): void {
    if (this.gen?.advance(nowMs)) this.emitGenerator();
    if (this.hub?.advance(nowMs)) this.emitHub();
  }

  private emitGenerator(): void {
    const s = this.gen!.state;
    if (!s.ready) return;
    this.sink.add(METRIC.generatorStarved, s.starved ? 1 : 0);
    this.sink.add(METRIC.generatorCpuStarved, s.cpuStarved ? 1 : 0);
    if (!Number.isNaN(s.minHeadroom)) this.sink.add(METRIC.vuHeadroom, s.minHeadroom);
    if (!Number.isNaN(s.attainment)) this.sink.add(METRIC.rateAttainment, s.attainment);
  }

  private emitHub(): void {
    const s = this.hub!.state;
    if (!s.ready) return;
    this.sink.add(METRIC.latencyDrifting, s.drifting ? 1 : 0);
    this.sink.add(METRIC.latencySawtooth, s.sawtooth ? 1 : 0);
    this.sink.add(METRIC.hubDegrading, s.degrading ? 1 : 0);
    this.sink.add(METRIC.latencyDrift, s.driftMsPerMin);
    if (s.sawtooth) {
      this.sink.add(METRIC.sawtoothPeriod, s.sawtoothPeriodS);
      this.sink.add(METRIC.sawtoothAmplitude, s.sawtoothAmplitudeMs);
    }
    if (s.stepping) this.sink.add(METRIC.latencyStep, s.lastStepMs);
    if (s.pauses > this.pausesSeen) {
      this.sink.add(METRIC.latencyPauses, s.pauses - this.pausesSeen);
      this.pausesSeen = s.pauses;
    }
  }
}

/** Trend sampling divisor for a runner starting `runnerRatePerS` iterations/s. */
export function trendEveryFor(runnerRatePerS: number, samplesPerS = 50): number {
  if (!(runnerRatePerS > 0)) return 1;
  return Math.max(1, Math.round(runnerRatePerS / samplesPerS));
}
