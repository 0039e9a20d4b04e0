/**
 * How k6's Prometheus remote-write output names series (k6 v2.2.0,
 * internal/output/prometheusrw/remotewrite; k6-semantics §6.4), and the type of every metric the
 * dashboard may query: the kit's own (lib/metrics/names.ts) and k6's built-ins.
 *
 * - Counter `x` → `k6_x_total`; Rate `x` → `k6_x_rate` (the run's cumulative ratio, per series);
 *   Gauge `x` → `k6_x`.
 * - Trend `x` with `--features native-histograms` → one native histogram `k6_x_seconds` for time
 *   Trends (values in seconds), `k6_x_bytes` for data Trends, `k6_x` otherwise; without native
 *   histograms, one gauge per K6_PROMETHEUS_RW_TREND_STATS stat: `k6_x_p99`, `k6_x_count`, ….
 */
import { METRIC, type MetricKey } from '../../lib/metrics/names.ts';

export type MetricType = 'counter' | 'rate' | 'gauge' | 'trend';
export type ValueKind = 'time' | 'data' | 'default';

export interface MetricInfo {
  type: MetricType;
  contains: ValueKind;
}

/**
 * Types of the kit's metrics. `Record<MetricKey, …>` makes the compiler demand an entry for every
 * name in lib/metrics/names.ts; a test checks each against the type its doc comment states.
 */
export const KIT_METRIC_TYPES: Record<MetricKey, MetricInfo> = {
  transfersSent: { type: 'counter', contains: 'default' },
  transfersAccepted: { type: 'counter', contains: 'default' },
  transfersCommitted: { type: 'counter', contains: 'default' },
  transfersRejected: { type: 'counter', contains: 'default' },
  transfersTimedOut: { type: 'counter', contains: 'default' },
  outcomesLate: { type: 'counter', contains: 'default' },
  callbacksDuplicate: { type: 'counter', contains: 'default' },
  outcomesForeign: { type: 'counter', contains: 'default' },
  relayEvicted: { type: 'counter', contains: 'default' },
  transferSuccess: { type: 'rate', contains: 'default' },
  transferOver1s: { type: 'rate', contains: 'default' },
  transferE2e: { type: 'trend', contains: 'time' },
  phaseDuration: { type: 'trend', contains: 'time' },
  scheduleLag: { type: 'trend', contains: 'time' },
  vuHeadroom: { type: 'gauge', contains: 'default' },
  rateAttainment: { type: 'gauge', contains: 'default' },
  clientOverhead: { type: 'trend', contains: 'time' },
  generatorStarved: { type: 'rate', contains: 'default' },
  latencyDrift: { type: 'gauge', contains: 'default' },
  sawtoothPeriod: { type: 'gauge', contains: 'default' },
  sawtoothAmplitude: { type: 'gauge', contains: 'default' },
  latencyPauses: { type: 'counter', contains: 'default' },
  hubDegrading: { type: 'rate', contains: 'default' },
  generatorCpuStarved: { type: 'rate', contains: 'default' },
  latencyStep: { type: 'gauge', contains: 'default' },
  latencyDrifting: { type: 'rate', contains: 'default' },
  latencySawtooth: { type: 'rate', contains: 'default' },
};

/** k6's built-in metrics (k6 docs, "Built-in metrics"; HTTP, iterations, VUs, data, checks). */
export const BUILTIN_METRICS: Readonly<Record<string, MetricInfo>> = {
  vus: { type: 'gauge', contains: 'default' },
  vus_max: { type: 'gauge', contains: 'default' },
  iterations: { type: 'counter', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  data_sent: { type: 'counter', contains: 'data' },
  data_received: { type: 'counter', contains: 'data' },
  checks: { type: 'rate', contains: 'default' },
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_failed: { type: 'rate', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_req_receiving: { type: 'trend', contains: 'time' },
};

/** Every metric the kit's runs can emit, by k6 name. */
export function knownMetrics(): Map<string, MetricInfo> {
  const out = new Map<string, MetricInfo>(Object.entries(BUILTIN_METRICS));
  for (const key of Object.keys(METRIC) as MetricKey[]) out.set(METRIC[key], KIT_METRIC_TYPES[key]);
  return out;
}

/** The series name of a Counter, Rate or Gauge, or of a Trend as a native histogram. */
export function rwName(k6Name: string, info: MetricInfo): string {
  switch (info.type) {
    case 'counter':
      return `k6_${k6Name}_total`;
    case 'rate':
      return `k6_${k6Name}_rate`;
    case 'gauge':
      return `k6_${k6Name}`;
    case 'trend':
      return info.contains === 'time'
        ? `k6_${k6Name}_seconds`
        : info.contains === 'data'
          ? `k6_${k6Name}_bytes`
          : `k6_${k6Name}`;
  }
}

/** Stats a Trend is sent as when native histograms are off (K6_PROMETHEUS_RW_TREND_STATS in the manifests). */
export const TREND_STAT_SUFFIXES = ['p50', 'p95', 'p99', 'max', 'count'] as const;

/**
 * The k6 metric behind a remote-write series name, or undefined when no known metric produces it.
 */
export function resolveRwName(
  series: string,
  known = knownMetrics(),
): { metric: string; info: MetricInfo } | undefined {
  if (!series.startsWith('k6_')) return undefined;
  for (const [metric, info] of known) {
    if (rwName(metric, info) === series) return { metric, info };
    if (info.type === 'trend') {
      for (const stat of TREND_STAT_SUFFIXES) if (series === `k6_${metric}_${stat}`) return { metric, info };
    }
  }
  return undefined;
}

/** Shorthand for the dashboard: the series name of a kit metric. */
export function kitSeries(key: MetricKey): string {
  return rwName(METRIC[key], KIT_METRIC_TYPES[key]);
}

/** Shorthand for the dashboard: the series name of a built-in metric. */
export function builtinSeries(name: keyof typeof BUILTIN_METRICS): string {
  return rwName(name, BUILTIN_METRICS[name]!);
}
