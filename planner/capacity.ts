/**
 * The per-runner capacity model of the planner: how much CPU and memory one k6 runner needs for its
 * share of the load. Every constant says where its figure comes from. Figures marked ESTIMATE are
 * placeholders until the project's benchmarks (bench/) measure the kit's own bundles; replace them
 * here, in one place, and regenerate the manifests (`npm run plan -- regenerate`).
 *
 * Pure and k6-safe (numbers only), so a scenario could print its expected footprint.
 */
import type { PlanMode } from '../lib/plan/modes.ts';

const MiB = 1024 * 1024;

export const CAPACITY = {
  /**
   * Resident memory of a k6 process before VUs and samples: 52 MiB. Measured with k6 v2.2.0 and
   * dist/transfers.js of 2026-11-28 (lazy units) against the embedded simulator: 69 MB peak RSS with
   * 10 VUs at 100 transfers/s, minus 10 VUs × the per-VU figure below and the churn at 100/s.
   * (A minimal script peaks at 40 MB; k6's own binary and runtime are most of this.)
   */
  baseMemoryBytes: 52 * MiB,
  /**
   * Memory per VU: 1.1 MiB. Measured as above: 69 MB peak RSS with 10 VUs and 165 MB with 100 VUs,
   * both at 100 transfers/s with every VU iterating, i.e. 1.07 MB per VU. About half of it is live
   * data (each VU keeps ≈0.5 MB: the bundle's eager functions, k6's module instances, the declared
   * metrics); the rest is the Go GC's headroom (GOGC=100 lets the heap reach twice the live data).
   * Before the lazy units (docs/ARCHITECTURE.md) it was 1.42 MB (198 MB at 100 VUs).
   */
  memoryPerVuBytes: 1.1 * MiB,
  /**
   * Memory per transfer/s a runner sustains: 0.05 MiB. Measured as above: 190 MB peak RSS with 100
   * VUs at 600 transfers/s for 30 s, ≈27 MB over base + VUs (garbage between GC cycles: each
   * transfer allocates ≈70 KB in k6, a bare POST ≈13 KB).
   */
  memoryPerTpsBytes: 0.05 * MiB,
  /**
   * Bytes per stored Trend sample: k6 keeps every Trend value as a float64 for the whole run
   * (docs/facts/k6.md#trend-memory).
   */
  trendBytesPerSample: 8,
  /**
   * Multiplier on stored Trend samples: 2. Derived: Go grows slices by up to 1.25× beyond the live
   * length, and with GOGC=100 the heap may reach twice the live data before a collection.
   */
  trendOverhead: 2,
  /**
   * Trend samples per HTTP request: 8. From docs/facts/k6.md#trend-memory: seven http_req_* Trends
   * (duration, blocked, connecting, tls_handshaking, sending, waiting, receiving) plus the
   * automatic `http_req_duration{expected_response:true}` sub-metric copy.
   */
  trendSamplesPerRequest: 8,
  /**
   * Trend samples per transfer besides HTTP: iteration_duration, ml_transfer_e2e, ml_schedule_lag,
   * ml_client_overhead (4, lib/metrics/registry.ts); the e2e and outbound flows add one
   * ml_phase_duration per phase and its per-phase sub-metric copy (3 + 3). ESTIMATE of what the
   * scenarios emit; check against the scenario's metric declarations when they change.
   */
  trendSamplesPerTransfer: { collect: 4, wait: 4, e2e: 10, outbound: 10 } satisfies Record<PlanMode, number>,
  /**
   * HTTP requests per transfer. ESTIMATE from the flows (docs/ARCHITECTURE.md): collect = the POST
   * plus one relay read per 500 outcomes (COLLECT_BATCH default); wait = POST + long-poll;
   * e2e = GET /parties, POST /quotes, POST /transfers and three relay waits; outbound = the
   * whitepaper's three calls (POST /transfers, PUT acceptParty, PUT acceptQuote).
   */
  requestsPerTransfer: { collect: 1.002, wait: 2, e2e: 6, outbound: 3 } satisfies Record<PlanMode, number>,
  /**
   * Fixed CPU of a runner: 150 millicores. Measured by the planner's author (k6 v2.2.0, minimal POST
   * script on loopback, 15 s runs at 500 and 1000 req/s): 4.26 and 6.05 CPU-seconds, i.e. ≈2.3 s of
   * fixed cost (start-up, metrics engine, summary) over 15 s.
   */
  baseCpuMillicores: 150,
  /**
   * CPU per HTTP request: 0.25 ms. Measured as above: the marginal cost between 500 and 1000 req/s
   * was (6.05 − 4.26) s / 7500 requests = 0.24 ms.
   */
  cpuMsPerRequest: 0.25,
  /**
   * CPU per transfer for the kit's own JS (ILP packet and condition, ids, JSON bodies, custom
   * metrics, detectors): 0.35 ms. Measured by the planner's author: dist/transfers.js in collect mode
   * used 2.67 CPU-s for 751 transfers and 4.77 CPU-s for 4251 (k6 v2.2.0, 15 s runs against the
   * embedded simulator on the same 2-core machine), 0.6 ms per transfer at the margin; minus the
   * request cost above. Contended with the simulator, so on the high side.
   */
  cpuMsPerTransfer: 0.35,
  /**
   * CPU to initialize one VU (compile-free re-evaluation of the bundle): 15 ms. Measured as above:
   * 1000 VUs took 15.6 CPU-s including a 5 s run. Runners initialize every VU before they report
   * ready, so this sets the start-up time the probes must tolerate.
   */
  vuInitCpuMs: 15,
  /** Keep CPU at or below 80% of the limit (k6 docs, running-large-tests.md). */
  cpuTargetUtilisation: 0.8,
  /** Keep memory at or below 90% of the limit (k6 docs, running-large-tests.md). */
  memoryTargetUtilisation: 0.9,
  /** CPU requests/limits are rounded up to a multiple of this many millicores. */
  cpuStepMillicores: 100,
  /** Memory requests/limits are rounded up to a multiple of this. */
  memoryStepBytes: 64 * MiB,
  /**
   * Floor of a runner's CPU: 250m. ESTIMATE: start-up compiles the bundle and initializes every
   * planned VU while the runner waits paused; a tiny limit makes that slow enough to trip probes.
   */
  minCpuMillicores: 250,
  /** Floor of a runner's memory: 256 MiB. ESTIMATE: room for the runtime, bundle and summary at the end. */
  minMemoryBytes: 256 * MiB,
  /** "One k6 instance can handle 30-40k VUs" (k6 docs, running-large-tests.md); the planner refuses more. */
  maxVusPerRunner: 30_000,
  /**
   * The runners' liveness probe on /v1/status. Kubernetes' defaults (1 s timeout, no delay) kill
   * busy runners (k6-operator issue #306); a 10 s timeout, and 30 s + 8 × 15 s before a kill, give a
   * CPU-bound runner room to answer and to initialize its VUs. Readiness uses the same timeout.
   */
  livenessProbe: { initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 8 },
  readinessProbe: { initialDelaySeconds: 5, periodSeconds: 15, timeoutSeconds: 10, failureThreshold: 20 },
  /** Resources of the initializer pod (`k6 archive` + `k6 inspect`, one VU). ESTIMATE. */
  initializer: { cpuMillicores: 500, memoryBytes: 256 * MiB },
  /** Resources of the starter pod (one `sh -c` with N curl calls). The operator's own default limit is 100m/200Mi. */
  starter: { cpuMillicores: 100, memoryBytes: 64 * MiB },
} as const;

export type Capacity = typeof CAPACITY;
