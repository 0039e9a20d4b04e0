/**
 * Assembles a k6 scenario module from the sans-IO parts: config parsed once in the init context
 * (a bad value throws here, so k6 exits non-zero before any load), metrics declared once, options
 * planned from the config, and the exec functions that drive the flows with k6/http.
 *
 * The entry points in scenarios/ are thin: they call `defineScenario(kind, flows)` with the flows
 * of their kind and re-export, so each bundle carries only its own flow code.
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import { openProbe } from '../config/results-dir.ts';
import { parseRunConfig, type RunConfig, type ScenarioKind } from '../config/run-config.ts';
import type { CollectMode, CollectorState } from '../flows/collect.ts';
import { checkedFixedIlp, type FlowPlan, prepareFlows } from '../flows/plan.ts';
import { pooledRandom } from '../flows/random-pool.ts';
import { type MetricSink, recordFlowResult } from '../flows/record.ts';
import { fspiopRequestSigner, type RequestSigner } from '../flows/sign.ts';
import type { Flow, FlowContext, FlowResult } from '../flows/types.ts';
import { METRIC } from '../metrics/registry.ts';
import type { K6Options, ScenarioOptions } from '../plan/options.ts';
import { createSubtleJwsSigner, type SubtleLike } from '../protocol/jws.ts';
import type { IlpPair } from '../protocol/material.ts';
import { interpretRelayStats, relayStatsRequest } from '../protocol/relay.ts';
import { runPlanOf, summaryOutputFiles } from './coordinator.lazy.ts';
import { k6Crypto } from './crypto.ts';
import { createDetectorProbe } from './detector-probe.ts';
import { drive, driveSigned, perform } from './http.ts';
import { declareMetrics } from './metrics.ts';
import { runnerIndex } from './runner.ts';

/** What setup() hands every VU (k6 passes it by value, JSON round-tripped). */
export interface SetupData {
  /** Transfers sent before this instant belong to another run. */
  runStartMs: number;
  /** This runner's cumulative relay counts at the start (baselines for evictions and duplicates). */
  evicted: number;
  duplicates: number;
  /**
   * Fixed ILP mode: the packet and condition of each pair of the pool, by pair index, that every VU
   * puts in its transfers (computed and checked once, by the coordinating VU).
   */
  fixedIlp?: IlpPair[];
  /** The planned load scenario (the detector probe needs its rate, stages and maxVUs). */
  load: ScenarioOptions;
  /**
   * Collect mode: when the collector is planned to stop (runStartMs + its duration, a lower bound);
   * a teardown before it follows an early stop.
   */
  collectorEndMs?: number;
}

/** How long one collect request may wait for outcomes when the runner's partition is empty, ms. */
export const COLLECT_LONG_POLL_MS = 1000;
/** Longest drain in teardown (k6's teardownTimeout is 60 s), ms. */
const MAX_DRAIN_MS = 45_000;

declare const __ENV: Record<string, string | undefined>;
declare const __VU: number;
/** k6 provides console (logged with the VU's context); @types/k6 does not declare it. */
declare const console: { warn(...args: unknown[]): void; log(...args: unknown[]): void };
/** k6's global WebCrypto (k6 >= 1.0); only `subtle` is used, for optional JWS signing. */
declare const crypto: { subtle: SubtleLike };

interface RelayBaseline {
  evicted: number;
  duplicates: number;
}

function relayBaseline(config: RunConfig, runner: number): RelayBaseline {
  const res = perform(relayStatsRequest(config.relayUrl));
  const r = interpretRelayStats(res);
  if (!r.ok) {
    const fix = /tls|x509|certificate/i.test(r.error)
      ? 'check its TLS: RELAY_TLS_CERT/RELAY_TLS_KEY (or TLS_CERT/TLS_KEY) and the SSL_CERT_FILE of the k6 process (docs/scenarios.md#mutual-tls)'
      : 'set RELAY_URL (or HUB_URL) to a running relay';
    throw new Error(`the callback relay at ${config.relayUrl} is not usable (${r.error}); ${fix}`);
  }
  const c = r.value.runners[String(runner)];
  return { evicted: c?.evictedUnread ?? 0, duplicates: c?.duplicates ?? 0 };
}

export interface Scenario {
  config: RunConfig;
  /** k6 reads `options` from the first evaluation of the script (VU id 0); undefined in load VUs. */
  options: K6Options | undefined;
  setup(): SetupData;
  teardown(data: SetupData): void;
  /** The load-generating exec function (named after the scenario kind); async only with JWS signing. */
  run(data: SetupData): void | Promise<void>;
  /** collect mode only. */
  collector(data: SetupData): void;
  handleSummary(data: unknown): Record<string, string>;
}

/** The flows a scenario drives, handed over by its entry point (scenarios/). */
export interface ScenarioFlows {
  /** One iteration's flow: send (collect mode) or send and wait for the outcome. */
  iteration(plan: FlowPlan, ctx: FlowContext): Flow<FlowResult>;
  /** Collect mode's collector and teardown drain (transfers only: flows/collect.ts). */
  collect?: CollectMode;
}

/** Reads the config with k6's init-context `open()`, which also checks RESULTS_DIR exists. */
function loadConfig(kind: ScenarioKind): RunConfig {
  const read = (path: string): string => open(path);
  return parseRunConfig(kind, __ENV, read, openProbe(read));
}

export function defineScenario(kind: ScenarioKind, flows: ScenarioFlows): Scenario {
  const config = loadConfig(kind);
  // k6 reads the exported options once, from the init of its first, throwaway VU (__VU 0); setup,
  // teardown and handleSummary also run in VUs with id 0. Only those plan the options, compute the
  // fixed ILP pair and build summaries (coordinator.lazy.ts): load VUs (__VU >= 1) never evaluate
  // that code, so they keep neither its functions nor its init-time garbage.
  const coordinating = __VU === 0;
  const options = coordinating ? runPlanOf(config).options : undefined;
  const sink: MetricSink = declareMetrics();
  // The detector probe (generator starvation, hub degradation) needs the load scenario's shape:
  // load VUs take it from the setup data on their first iteration (the plan is the coordinator's);
  // only without setup data (--no-setup) does a VU plan the run itself.
  let load: ScenarioOptions | undefined;
  const loadShape = (): ScenarioOptions => (load ??= runPlanOf(config).load.scenario);
  const collect = kind === 'transfers' && config.mode === 'collect';
  const collectParts = flows.collect;
  if (collect && !collectParts) throw new Error(`the ${kind} entry point hands over no collector`);
  const probe = createDetectorProbe({ scenario: loadShape });
  // Collect mode: the load VUs only see POST answers; the collector sees every outcome of its runner.
  const collectorProbe = collect
    ? createDetectorProbe({ scenario: loadShape, role: 'collector' })
    : undefined;
  const crypto6 = pooledRandom(k6Crypto);
  // The coordinating VU checks the whole flow configuration in the init context (a bad value stops
  // k6 before any load) and computes the fixed ILP pairs once; setup() hands them to the load
  // VUs, which build their plan on their first iteration from them instead of recomputing them.
  const fixedIlp = coordinating && config.ilpMode === 'fixed' ? checkedFixedIlp(config, crypto6) : undefined;
  let plan: FlowPlan | undefined = coordinating ? prepareFlows(config, crypto6, fixedIlp) : undefined;
  const flowPlan = (data: SetupData | undefined): FlowPlan =>
    (plan ??= prepareFlows(config, crypto6, data?.fixedIlp));
  let ctx: FlowContext | undefined;
  const context = (): FlowContext =>
    (ctx ??= {
      now: Date.now,
      random: Math.random,
      crypto: crypto6,
      runner: runnerIndex(config.runner),
      started: countSent,
    });
  // The key is imported on the first signature (WebCrypto is not usable in the init context).
  const signer: RequestSigner | undefined = config.jws
    ? fspiopRequestSigner(
        createSubtleJwsSigner(crypto.subtle, config.jws.privateKeyPem, config.jws.alg),
        config.jws.alg,
      )
    : undefined;
  // The VU's metadata map, fetched once per VU (each `exec.vu` read builds objects in Sobek).
  // Metadata applies to every later sample of the VU, so the id is set right before the samples
  // of its transfer and cleared before the next requests (their HTTP samples carry no stale id).
  let metadata: Record<string, string | number | boolean> | undefined;
  const tagTransfer = (transferId: string): void => {
    metadata ??= exec.vu.metrics.metadata;
    metadata.transfer_id = transferId;
  };
  const untag = (): void => {
    if (metadata) delete metadata.transfer_id;
  };

  // `sent` is counted when the flow draws its transfer id, before its first request, so an
  // iteration an early stop cuts short still counts as a sent transfer (settled as never arrived
  // unless teardown's drain finds its outcome). Tagged with the id, untagged for the requests.
  const countSent = (transferId: string): void => {
    tagTransfer(transferId);
    sink.add(METRIC.transfersSent, 1);
    untag();
  };
  const record = (r: FlowResult): void => {
    tagTransfer(r.transferId);
    recordFlowResult(sink, r, true);
  };

  let collectorState: CollectorState | undefined;
  let lastWarnMs = 0;
  const warn = (msg: string): void => {
    const now = Date.now();
    if (now - lastWarnMs > 10_000) {
      lastWarnMs = now;
      console.warn(msg);
    }
  };

  // Ends an iteration; made once per VU rather than as a fresh closure in every iteration.
  const done = (r: FlowResult): void => {
    record(r);
    if (!collect && r.e2eMs !== undefined && r.outcome.kind !== 'pending') probe.observeLatency(r.e2eMs);
    probe.iterationEnded();
    if (r.note) warn(`transfer ${r.transferId}: ${r.note}`);
  };

  // Collect mode's teardown: the outcomes a stopped collector left in the relay (flows/collect.ts).
  const drainAfterStop = (data: SetupData): void => {
    if (!data) return;
    const now = Date.now();
    const early = data.collectorEndMs !== undefined && now < data.collectorEndMs;
    const state: CollectorState = {
      runner: context().runner,
      cursor: '',
      runStartMs: data.runStartMs,
      evicted: data.evicted,
      duplicates: data.duplicates,
    };
    const r = drive(
      collectParts!.drain(flowPlan(data), sink, state, {
        early,
        deadlineMs: now + Math.min(config.timeoutMs, MAX_DRAIN_MS),
        now: Date.now,
      }),
    );
    const got = r.final + r.late;
    if (r.error)
      console.warn(
        `teardown: the relay could not be drained (${r.error}); outcomes left in it count as never arrived`,
      );
    if (early || got > 0) {
      console.log(
        `teardown: ${early ? 'the run stopped early; ' : ''}drained ${got} outcomes from the relay (${r.late} late) in ${r.requests} requests`,
      );
    }
  };

  return {
    config,
    options,

    setup(): SetupData {
      const segment = (exec.test.options as unknown as { executionSegment?: string | null }).executionSegment;
      if (config.parallelism > 1 && config.runner === undefined && !segment) {
        // Several collector VUs would read the same relay partition, and per-runner thresholds
        // would expect 1/PARALLELISM of the load: refuse rather than count wrong.
        throw new Error(
          `PARALLELISM=${config.parallelism} but this k6 process has no execution segment: run it with ` +
            '--execution-segment/--execution-segment-sequence (k6-operator and k6 Cloud do), set RUNNER, or use PARALLELISM=1',
        );
      }
      const runStartMs = Date.now();
      const collectorMs = collect ? runPlanOf(config).collector?.durationMs : undefined;
      const shared = {
        load: loadShape(),
        ...(fixedIlp ? { fixedIlp } : {}),
        ...(collectorMs !== undefined ? { collectorEndMs: runStartMs + collectorMs } : {}),
      };
      if (kind === 'outbound') return { runStartMs, evicted: 0, duplicates: 0, ...shared };
      const base = relayBaseline(config, runnerIndex(config.runner));
      return { runStartMs, ...base, ...shared };
    },

    teardown(data: SetupData): void {
      if (collect) {
        drainAfterStop(data);
        return;
      }
      // Collect mode counts evictions and duplicates in the collector; the waiting modes learn them here.
      if (kind === 'outbound') return;
      try {
        const now = relayBaseline(config, runnerIndex(config.runner));
        if (now.evicted > data.evicted) sink.add(METRIC.relayEvicted, now.evicted - data.evicted);
        if (now.duplicates > data.duplicates)
          sink.add(METRIC.callbacksDuplicate, now.duplicates - data.duplicates);
      } catch (e) {
        console.warn(`teardown: relay counts unavailable: ${(e as Error).message}`);
      }
    },

    run(data: SetupData): void | Promise<void> {
      if (load === undefined && data?.load) load = data.load;
      untag();
      const c = context();
      const flow = flows.iteration(flowPlan(data), c);
      probe.iterationStarted();
      if (signer) return driveSigned(flow, signer, probe.observeNetwork).then(done);
      done(drive(flow, probe.observeNetwork));
    },

    collector(data: SetupData): void {
      if (load === undefined && data?.load) load = data.load;
      collectorState ??= {
        runner: context().runner,
        cursor: '',
        runStartMs: data.runStartMs,
        evicted: data.evicted,
        duplicates: data.duplicates,
      };
      untag();
      const batch = drive(collectParts!.batch(flowPlan(data), collectorState, COLLECT_LONG_POLL_MS));
      if ('error' in batch) {
        warn(`collector: ${batch.error}`);
        sleep(1);
        return;
      }
      collectParts!.record(sink, batch, collectorState, config.timeoutMs, (o, cls, e2e) => {
        tagTransfer(o.transferId);
        if (cls === 'final' && e2e !== undefined) collectorProbe?.observeLatency(e2e, o.arrivedAtMs);
      });
      collectorProbe?.tick();
    },

    handleSummary(data: unknown): Record<string, string> {
      let runner: number | undefined = config.runner;
      if (runner === undefined) {
        try {
          runner = runnerIndex(undefined);
        } catch {
          runner = undefined;
        }
      }
      return summaryOutputFiles(data, kind, config, runner);
    },
  };
}
