/**
 * The metric registry: every metric the kit emits, and every k6 built-in it reads, with its k6 type,
 * what its values are (`contains`), who declares it and its tags. Everything else derives from this
 * table: the scenarios declare the `flows` metrics (lib/k6/metrics.ts) and the detector probe the
 * `probe` ones (lib/k6/detector-probe.ts), thresholds check names and aggregations against it
 * (lib/thresholds/), the dashboard names its Prometheus series from it (planner/dashboard/), and the
 * analyzer reads samples by it (analyzer/metrics.ts). Adding a metric is one entry here.
 *
 * Tags stay low-cardinality (`outcome`, `error_code`, `stage`, `phase`; `scenario` is automatic):
 * ids go to metadata, never to tags.
 *
 * k6 side too: keep entries as small literals (every VU evaluates this module).
 */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** k6's `contains`: milliseconds, bytes, or plain numbers. */
export type ValueKind = 'time' | 'data' | 'default';
/** Who declares the metric: the recording code of the flows, the detector probe, or k6 itself. */
export type DeclaredBy = 'flows' | 'probe';

export interface MetricInfo {
  readonly type: MetricType;
  readonly contains: ValueKind;
}

export interface KitMetric extends MetricInfo {
  readonly name: string;
  readonly by: DeclaredBy;
  /** Tags its samples may carry besides k6's system tags. */
  readonly tags: readonly string[];
}

const NO_TAGS: readonly string[] = [];

export const KIT_METRICS = {
  // --- transfer accounting (recorded by lib/flows/record.ts) ---
  /** Transfers whose POST was attempted (one per transfer, whatever happened next). */
  transfersSent: {
    name: 'ml_transfers_sent',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Transfers the hub accepted synchronously (HTTP 202). */
  transfersAccepted: {
    name: 'ml_transfers_accepted',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Transfers that ended COMMITTED. */
  transfersCommitted: {
    name: 'ml_transfers_committed',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Transfers that ended rejected, by FSPIOP error code, stage (sync|async) and phase. */
  transfersRejected: {
    name: 'ml_transfers_rejected',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: ['error_code', 'stage', 'phase'],
  },
  /** Transfers with no final outcome within the timeout (including late arrivals). */
  transfersTimedOut: {
    name: 'ml_transfers_timed_out',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Transfers whose request got no HTTP answer (refused, reset) and whose outcome never came. */
  transfersTransportFailed: {
    name: 'ml_transfers_transport_failed',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: ['phase'],
  },
  /**
   * POST /transfers that got no HTTP answer in collect mode: whether the hub got them shows only
   * when their outcome arrives, so the summary counts as transport-failed those of them whose
   * outcome never arrived.
   */
  postTransportErrors: {
    name: 'ml_post_transport_errors',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Final outcomes that arrived after the timeout (already counted as timed out). */
  outcomesLate: {
    name: 'ml_outcomes_late',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Callbacks for a transfer that already had its final outcome. */
  callbacksDuplicate: {
    name: 'ml_callbacks_duplicate',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Outcomes the collector read that belong to no transfer of this run (leftovers of an earlier run). */
  outcomesForeign: {
    name: 'ml_outcomes_foreign',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Outcomes the relay evicted before they were read (TTL or cap). */
  relayEvicted: {
    name: 'ml_relay_evicted',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /**
   * Final outcomes whose end-to-end latency is unknown: no send time (the hub dropped `tracestate`
   * and the id carries no time, e.g. ID_KIND=uuid4). Such a transfer adds no latency sample.
   */
  latencyUnknown: {
    name: 'ml_latency_unknown',
    type: 'counter',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Per final outcome, 1 when committed (success ratio). */
  transferSuccess: {
    name: 'ml_transfer_success',
    type: 'rate',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** Per final outcome, 1 when end-to-end latency exceeded 1 s (Mojaloop invariant: <= 1 %). */
  transferOver1s: {
    name: 'ml_transfer_over_1s',
    type: 'rate',
    contains: 'default',
    by: 'flows',
    tags: NO_TAGS,
  },
  /** End-to-end latency, send of the POST to the final callback, by outcome. */
  transferE2e: { name: 'ml_transfer_e2e', type: 'trend', contains: 'time', by: 'flows', tags: ['outcome'] },
  /** Per-phase latency of the e2e/outbound flows (parties|quotes|transfers). */
  phaseDuration: { name: 'ml_phase_duration', type: 'trend', contains: 'time', by: 'flows', tags: ['phase'] },

  // --- generator health (emitted by the detector probe, lib/k6/detector-probe.ts) ---
  /**
   * How late an iteration started against the arrival-rate schedule (sampled to ~50/s per runner):
   * about 0 when healthy; after dropped starts it holds their backlog (k6 never starts them later).
   */
  scheduleLag: { name: 'ml_schedule_lag', type: 'trend', contains: 'time', by: 'probe', tags: NO_TAGS },
  /** Lowest free share of this runner's maxVUs at iteration starts over the last 10 s (0 = none idle). */
  vuHeadroom: { name: 'ml_vu_headroom', type: 'gauge', contains: 'default', by: 'probe', tags: NO_TAGS },
  /** Iterations started / due over the last 10 s, against this runner's share of the rate. */
  rateAttainment: {
    name: 'ml_rate_attainment',
    type: 'gauge',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Iteration wall time minus time waiting on the network (JS, signing, CPU wait; sampled). */
  clientOverhead: { name: 'ml_client_overhead', type: 'trend', contains: 'time', by: 'probe', tags: NO_TAGS },
  /** Per detector check (about 1/s per sentinel VU), 1 when the generator is starved. */
  generatorStarved: {
    name: 'ml_generator_starved',
    type: 'rate',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Per detector check, 1 when the starvation is the CPU's (late bursts, idle-VU drops). */
  generatorCpuStarved: {
    name: 'ml_generator_cpu_starved',
    type: 'rate',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },

  // --- system-under-test health (detector probe) ---
  /** Robust latency slope over the last 120 s, ms per minute (emitted at each check). */
  latencyDrift: { name: 'ml_latency_drift', type: 'gauge', contains: 'default', by: 'probe', tags: NO_TAGS },
  /** Sawtooth period estimate, seconds (emitted only while a sawtooth is detected). */
  sawtoothPeriod: {
    name: 'ml_sawtooth_period',
    type: 'gauge',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Sawtooth amplitude estimate, ms (emitted only while a sawtooth is detected). */
  sawtoothAmplitude: {
    name: 'ml_sawtooth_amplitude',
    type: 'gauge',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Size of the last latency level shift seen, ms (emitted when one is seen). */
  latencyStep: { name: 'ml_latency_step', type: 'gauge', contains: 'default', by: 'probe', tags: NO_TAGS },
  /** Latency pauses/spikes seen (per detector view: a pause seen by two views counts twice). */
  latencyPauses: {
    name: 'ml_latency_pauses',
    type: 'counter',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Per detector check, 1 when latency is drifting up. */
  latencyDrifting: {
    name: 'ml_latency_drifting',
    type: 'rate',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Per detector check, 1 when latency shows a sawtooth. */
  latencySawtooth: {
    name: 'ml_latency_sawtooth',
    type: 'rate',
    contains: 'default',
    by: 'probe',
    tags: NO_TAGS,
  },
  /** Per detector check, 1 when the hub-degradation detector fires (drift or sawtooth). */
  hubDegrading: { name: 'ml_hub_degrading', type: 'rate', contains: 'default', by: 'probe', tags: NO_TAGS },
} as const satisfies Record<string, KitMetric>;

export type MetricKey = keyof typeof KIT_METRICS;
export type MetricName = (typeof KIT_METRICS)[MetricKey]['name'];
/** Names of the metrics the detector probe declares. */
export type ProbeMetricName = Extract<(typeof KIT_METRICS)[MetricKey], { by: 'probe' }>['name'];

/** Key → name, for code that refers to a metric (`METRIC.transfersSent`). */
export const METRIC = Object.fromEntries(Object.entries(KIT_METRICS).map(([key, m]) => [key, m.name])) as {
  readonly [K in MetricKey]: (typeof KIT_METRICS)[K]['name'];
};

export const METRIC_NAMES: readonly MetricName[] = Object.values(METRIC);

/** The kit metrics one declarer declares. */
export function kitMetricsBy(by: DeclaredBy): KitMetric[] {
  return Object.values(KIT_METRICS).filter((m) => m.by === by);
}

/** k6's built-in metrics the kit (thresholds, verdicts, analyzer, dashboard) may read (k6 docs, "Built-in metrics"). */
export const BUILTIN_METRICS = {
  checks: { type: 'rate', contains: 'default' },
  data_received: { type: 'counter', contains: 'data' },
  data_sent: { type: 'counter', contains: 'data' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  group_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_failed: { type: 'rate', contains: 'default' },
  http_req_receiving: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_reqs: { type: 'counter', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  iterations: { type: 'counter', contains: 'default' },
  vus: { type: 'gauge', contains: 'default' },
  vus_max: { type: 'gauge', contains: 'default' },
} as const satisfies Record<string, MetricInfo>;

export type BuiltinName = keyof typeof BUILTIN_METRICS;

let byName: ReadonlyMap<string, MetricInfo> | undefined;

/** Every metric known to the registry, by k6 name (built on first use: load VUs never need it). */
export function knownMetrics(): ReadonlyMap<string, MetricInfo> {
  byName ??= new Map<string, MetricInfo>([
    ...Object.entries(BUILTIN_METRICS),
    ...Object.values(KIT_METRICS).map((m) => [m.name, m] as const),
  ]);
  return byName;
}

/**
 * Type and value kind of a metric by k6 name, kit or built-in; a sub-metric (`name{tag:value}`)
 * has its parent's. Undefined for names the kit neither emits nor reads.
 */
export function metricInfo(name: string): MetricInfo | undefined {
  const brace = name.indexOf('{');
  return knownMetrics().get(brace < 0 ? name : name.slice(0, brace));
}
