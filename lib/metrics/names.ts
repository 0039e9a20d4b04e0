/**
 * Every custom metric name the kit emits, in one place. Scenarios declare them, thresholds refer to
 * them, the Grafana dashboard queries them (as `k6_<name>_total` for Counters and `k6_<name>_rate`
 * for Rates under Prometheus remote write) and the analyzer reads them. Tests check that each of
 * those only uses names listed here.
 *
 * Tags stay low-cardinality: `scenario` (automatic), `mode`, `outcome`, `error_code`, `phase`, `stage`.
 * Ids go to metadata, never to tags.
 */
export const METRIC = {
  // --- transfer accounting (scenarios issue) ---
  /** Counter: transfers whose POST was attempted (one per transfer, whatever happened next). */
  transfersSent: 'ml_transfers_sent',
  /** Counter: transfers the hub accepted synchronously (HTTP 202). */
  transfersAccepted: 'ml_transfers_accepted',
  /** Counter: transfers that ended COMMITTED. */
  transfersCommitted: 'ml_transfers_committed',
  /** Counter, tags `error_code`, `stage` (sync|async): transfers that ended rejected. */
  transfersRejected: 'ml_transfers_rejected',
  /** Counter: transfers with no final outcome within the timeout (including late arrivals). */
  transfersTimedOut: 'ml_transfers_timed_out',
  /** Counter: final outcomes that arrived after the timeout (already counted as timed out). */
  outcomesLate: 'ml_outcomes_late',
  /** Counter: callbacks for a transfer that already had its final outcome. */
  callbacksDuplicate: 'ml_callbacks_duplicate',
  /** Counter: outcomes the collector read that belong to no transfer of this run (leftovers of an earlier run). */
  outcomesForeign: 'ml_outcomes_foreign',
  /** Counter: outcomes the relay evicted before they were read (TTL or cap). */
  relayEvicted: 'ml_relay_evicted',
  /** Rate: per final outcome, 1 when committed (success ratio). */
  transferSuccess: 'ml_transfer_success',
  /** Rate: per final outcome, 1 when end-to-end latency exceeded 1 s (Mojaloop invariant: <= 1%). */
  transferOver1s: 'ml_transfer_over_1s',
  /** Trend (time), tag `outcome`: end-to-end latency, send of the POST to the final callback. */
  transferE2e: 'ml_transfer_e2e',
  /** Trend (time), tag `phase` (parties|quotes|transfers): per-phase latency of the e2e/outbound flows. */
  phaseDuration: 'ml_phase_duration',

  // --- generator health (detectors issue; lib/detectors, emitted by lib/k6/detector-probe.ts) ---
  // Schedule lag = now - (scenario start + due time of iterationInInstance): about 0 when healthy; after
  // dropped starts it holds their backlog (k6 never starts them later). Sampled to ~50 samples/s per runner.
  /** Trend (time): how late an iteration started against the arrival-rate schedule (sampled). */
  scheduleLag: 'ml_schedule_lag',
  /** Gauge: lowest free share of this runner's maxVUs at iteration starts over the last 10 s (0 = none idle). */
  vuHeadroom: 'ml_vu_headroom',
  /** Gauge: iterations started / due over the last 10 s, against this runner's share of the rate. */
  rateAttainment: 'ml_rate_attainment',
  /** Trend (time): iteration wall time minus time waiting on the network (JS, signing, CPU wait; sampled). */
  clientOverhead: 'ml_client_overhead',
  /** Rate: per detector check (about 1/s per sentinel VU), 1 when the generator is starved. */
  generatorStarved: 'ml_generator_starved',
  /** Rate: per detector check, 1 when the starvation is the CPU's (late bursts, idle-VU drops). */
  generatorCpuStarved: 'ml_generator_cpu_starved',

  // --- system-under-test health (detectors issue) ---
  /** Gauge: robust latency slope over the last 120 s, ms per minute (emitted at each check). */
  latencyDrift: 'ml_latency_drift',
  /** Gauge: sawtooth period estimate, seconds (emitted only while a sawtooth is detected). */
  sawtoothPeriod: 'ml_sawtooth_period',
  /** Gauge: sawtooth amplitude estimate, ms (emitted only while a sawtooth is detected). */
  sawtoothAmplitude: 'ml_sawtooth_amplitude',
  /** Gauge: size of the last latency level shift seen, ms (emitted when one is seen). */
  latencyStep: 'ml_latency_step',
  /** Counter: latency pauses/spikes seen (per detector view: a pause seen by two views counts twice). */
  latencyPauses: 'ml_latency_pauses',
  /** Rate: per detector check, 1 when latency is drifting up. */
  latencyDrifting: 'ml_latency_drifting',
  /** Rate: per detector check, 1 when latency shows a sawtooth. */
  latencySawtooth: 'ml_latency_sawtooth',
  /** Rate: per detector check, 1 when the hub-degradation detector fires (drift or sawtooth). */
  hubDegrading: 'ml_hub_degrading',
} as const;

export type MetricKey = keyof typeof METRIC;
export type MetricName = (typeof METRIC)[MetricKey];
export const METRIC_NAMES: readonly MetricName[] = Object.values(METRIC);
