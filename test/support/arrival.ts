/**
 * A Node stand-in for one k6 runner running a constant-arrival-rate scenario in wait mode, for the
 * live rehearsal: iteration g is due at start + g x 1000/rate; it goes to an idle VU, or is dropped
 * (and never started later) when none is idle; `iterationInInstance` counts started iterations
 * only. Each VU runs the real wait-mode flow (lib/flows) through the Node driver against the
 * simulator, and carries its own detector probe, as a k6 VU would; one collector-style probe sees
 * every latency (collect mode's collector VU).
 *
 * `hog` makes the runner CPU-starved for real: the process's event loop is kept busy for
 * `busyMs` (uniform in the range) after each idle gap of `gapMs`, as a k6 runner starved of CPU by
 * its quota, a neighbour or its GC. Timers fire late, due iterations start late in bursts, the VUs
 * sit idle meanwhile. The slices are irregular (seeded) as real starvation is: a strictly periodic
 * hog in step with the schedule would delay the same starts every time, which no floor can tell
 * from a constant offset. Only for a run alone in its process, against a simulator in another
 * process (test/support/child-sim.ts): the hog freezes everything in this one.
 */
import { constantSchedule } from '../../lib/detectors/schedule.ts';
import { VuProbe, type VuProbeOptions } from '../../lib/detectors/vu-probe.ts';
import type { FlowPlan } from '../../lib/flows/plan.ts';
import { recordFlowResult } from '../../lib/flows/record.ts';
import { sendAndWait } from '../../lib/flows/transfer.ts';
import type { FlowContext } from '../../lib/flows/types.ts';
import { driveFlow } from '../../node/driver.ts';
import type { NodeHttpClient } from '../../node/http.ts';
import { uniformSource } from '../../node/prng.ts';
import { KIT_SUMMARY_TYPES, SampleStore, SummarySink } from './summary-data.ts';

export const REHEARSAL_TYPES = KIT_SUMMARY_TYPES;

export interface ArrivalRun {
  rate: number;
  durationMs: number;
  maxVUs: number;
  plan: FlowPlan;
  ctx: FlowContext;
  client: NodeHttpClient;
  probe: Pick<VuProbeOptions, 'hubBucketMs' | 'hubAnalysisEveryS' | 'hubOptions' | 'generatorOptions'>;
  hog?: CpuHog;
}

export interface CpuHog {
  /** idle gap before each busy slice, ms (uniform in [min, max]) */
  gapMs: [number, number];
  /** busy slice, ms (uniform in [min, max]) */
  busyMs: [number, number];
  seed?: number;
}

/** Keeps the event loop busy in irregular slices (see `hog` above); returns the stop function. */
function startHog(h: CpuHog): () => void {
  const rnd = uniformSource(h.seed ?? 1);
  const pick = ([a, b]: [number, number]) => a + (b - a) * rnd();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slice = (): void => {
    const until = performance.now() + pick(h.busyMs);
    while (performance.now() < until) {
      // busy: the runner gets no CPU for anything else
    }
    timer = setTimeout(slice, pick(h.gapMs));
  };
  timer = setTimeout(slice, pick(h.gapMs));
  return () => clearTimeout(timer);
}

export async function runArrival(r: ArrivalRun): Promise<{ store: SampleStore; durationMs: number }> {
  const store = new SampleStore();
  const sink = new SummarySink(store);
  const schedule = constantSchedule({ rate: r.rate });
  const start = Date.now();
  const common = { maxVUs: r.maxVUs, schedule, scenarioStartMs: start, trendEvery: 1, ...r.probe };
  const probes = Array.from({ length: r.maxVUs }, () => new VuProbe({ ...common, sentinel: true }, sink));
  const collector = new VuProbe(
    { ...common, sentinel: true, schedule: undefined, scenarioStartMs: undefined },
    sink,
  );
  const idle: number[] = probes.map((_, i) => i);
  let started = 0;
  let active = 0;
  const running: Promise<void>[] = [];
  store.add('vus_max', r.maxVUs);
  const interval = 1000 / r.rate;
  const ticker = setInterval(() => collector.tick(Date.now()), 250);
  const stopHog = r.hog ? startHog(r.hog) : () => {};
  try {
    for (let g = 0; ; g++) {
      const due = start + g * interval;
      if (due - start >= r.durationMs) break;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const vu = idle.shift();
      if (vu === undefined) {
        store.add('dropped_iterations', 1);
        continue;
      }
      const iteration = started++;
      active++;
      const p = probes[vu]!;
      const t0 = Date.now();
      p.iterationStarted(t0, iteration, active);
      const job = driveFlow(sendAndWait(r.plan, r.ctx), r.client, (_req, res) =>
        p.observeNetwork(res.durationMs),
      )
        .then((result) => {
          recordFlowResult(sink, result);
          const now = Date.now();
          if (result.e2eMs !== undefined) {
            p.observeLatency(result.e2eMs, now);
            collector.observeLatency(result.e2eMs, now);
          }
          p.iterationEnded(now);
          store.add('iterations', 1);
          store.add('iteration_duration', now - t0);
        })
        .finally(() => {
          active--;
          idle.push(vu);
        });
      running.push(job);
    }
    await Promise.all(running);
  } finally {
    stopHog();
    clearInterval(ticker);
  }
  return { store, durationMs: r.durationMs };
}
