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

  // --- generator health (detectors issue) ---
  /** Trend (time): how late each iteration started against the arrival-rate schedule. */
  scheduleLag: 'ml_schedule_lag',
  /** Gauge: free share of this runner's maxVUs (0 = no free VU). */
  vuHeadroom: 'ml_vu_headroom',
  /** Gauge: achieved / this runner's share of the target rate. */
  rateAttainment: 'ml_rate_attainment',
  /** Trend (time): client-side CPU time per iteration not spent waiting on the network. */
  clientOverhead: 'ml_client_overhead',
  /** Rate: per check, 1 when the generator-starvation detector fires. */
  generatorStarved: 'ml_generator_starved',

  // --- system-under-test health (detectors issue) ---
  /** Gauge: robust latency slope, ms per minute. */
  latencyDrift: 'ml_latency_drift',
  /** Gauge: sawtooth period estimate, seconds (0 when none). */
  sawtoothPeriod: 'ml_sawtooth_period',
  /** Gauge: sawtooth amplitude estimate, ms (0 when none). */
  sawtoothAmplitude: 'ml_sawtooth_amplitude',
  /** Counter: latency pauses/spikes detected. */
  latencyPauses: 'ml_latency_pauses',
  /** Rate: per check, 1 when the hub-degradation detector fires. */
  hubDegrading: 'ml_hub_degrading',
} as const;

export type MetricKey = keyof typeof METRIC;
export type MetricName = (typeof METRIC)[MetricKey];
export const METRIC_NAMES: readonly MetricName[] = Object.values(METRIC);
