/**
 * How k6's Prometheus remote-write output names series (k6 v2.2.0,
 * internal/output/prometheusrw/remotewrite; docs/facts/k6.md#prometheus-rw), and the type of every metric the
 * dashboard may query, from the metric registry (lib/metrics/registry.ts): the kit's own and k6's built-ins.
 *
 * - Counter `x` → `k6_x_total`; Rate `x` → `k6_x_rate` (the run's cumulative ratio, per series);
 *   Gauge `x` → `k6_x`.
 * - Trend `x` with `--features native-histograms` → one native histogram `k6_x_seconds` for time
 *   Trends (values in seconds), `k6_x_bytes` for data Trends, `k6_x` otherwise; without native
 *   histograms, one gauge per K6_PROMETHEUS_RW_TREND_STATS stat: `k6_x_p99`, `k6_x_count`, ….
 */
import {
  BUILTIN_METRICS,
  type BuiltinName,
  KIT_METRICS,
  knownMetrics,
  type MetricInfo,
  type MetricKey,
} from '../../lib/metrics/registry.ts';

export type { MetricInfo };

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
  known: ReadonlyMap<string, MetricInfo> = knownMetrics(),
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
  return rwName(KIT_METRICS[key].name, KIT_METRICS[key]);
}

/** Shorthand for the dashboard: the series name of a built-in metric. */
export function builtinSeries(name: BuiltinName): string {
  return rwName(name, BUILTIN_METRICS[name]);
}
