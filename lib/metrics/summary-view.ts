/**
 * Reads the data k6 hands to handleSummary, in either shape (docs/facts/k6.md#summary-legacy and #summary-machine-readable):
 * - the legacy object (default in k6 1.x and 2.x): `{metrics: {name: {type, contains, values,
 *   thresholds?: {expr: {ok}}}}, state: {testRunDurationMs}, ...}`; a Rate's values are
 *   `{rate, passes, fails}`;
 * - the machine-readable summary (opt-in `--new-machine-readable-summary`): `{version, config:
 *   {duration (s)}, results: {metrics: [{name, type, contains, values}]}}`; a Rate's values are
 *   `{matches, total, rate}` and there are no threshold results.
 * Anything else (or malformed parts) yields an empty view rather than an exception: a summary must
 * still be written when the data is odd.
 */
import { reasonOfCheck } from './rejection-reasons.ts';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface MetricView {
  type: MetricType;
  /** Counter: count, rate. Gauge: value, min, max. Rate: rate, passes, fails. Trend: the stats present. */
  values: Readonly<Record<string, number>>;
  /** Threshold expression → passed; undefined when the shape carries none. */
  thresholds: Readonly<Record<string, boolean>> | undefined;
}

export interface SummaryView {
  shape: 'legacy' | 'machine-readable' | 'unknown';
  /** Whole test-run duration, ms, when the data says. */
  testRunDurationMs: number | undefined;
  metrics: ReadonlyMap<string, MetricView>;
  /** Checks by name: passes and fails (legacy `root_group.checks`, machine-readable `results.checks.results`). */
  checks: ReadonlyMap<string, { passes: number; fails: number }>;
}

const TYPES: readonly MetricType[] = ['counter', 'gauge', 'rate', 'trend'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numbers(raw: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isRecord(raw)) return out;
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

function normaliseRate(values: Record<string, number>): Record<string, number> {
  // machine-readable: {matches, total, rate} → legacy names as well.
  if (values.matches !== undefined && values.passes === undefined) {
    values.passes = values.matches;
    if (values.total !== undefined) values.fails = values.total - values.matches;
  }
  if (values.rate === undefined && values.passes !== undefined && values.fails !== undefined) {
    const total = values.passes + values.fails;
    if (total > 0) values.rate = values.passes / total;
  }
  return values;
}

/** Checks as k6 lists them (`[{name, passes, fails}]`), summed by name; malformed entries skipped. */
function checksOf(list: unknown): Map<string, { passes: number; fails: number }> {
  const out = new Map<string, { passes: number; fails: number }>();
  if (!Array.isArray(list)) return out;
  for (const c of list) {
    if (!isRecord(c) || typeof c.name !== 'string') continue;
    const passes = typeof c.passes === 'number' && c.passes >= 0 ? c.passes : 0;
    const fails = typeof c.fails === 'number' && c.fails >= 0 ? c.fails : 0;
    const prev = out.get(c.name);
    out.set(c.name, { passes: (prev?.passes ?? 0) + passes, fails: (prev?.fails ?? 0) + fails });
  }
  return out;
}

export function readSummary(data: unknown): SummaryView {
  const metrics = new Map<string, MetricView>();
  if (!isRecord(data)) return { shape: 'unknown', testRunDurationMs: undefined, metrics, checks: new Map() };

  const results = isRecord(data.results) ? data.results : undefined;
  if (results && Array.isArray(results.metrics)) {
    for (const m of results.metrics) {
      if (!isRecord(m) || typeof m.name !== 'string' || !TYPES.includes(m.type as MetricType)) continue;
      const type = m.type as MetricType;
      const values = numbers(m.values);
      metrics.set(m.name, {
        type,
        values: type === 'rate' ? normaliseRate(values) : values,
        thresholds: undefined,
      });
    }
    const config = isRecord(data.config) ? data.config : {};
    const seconds = typeof config.duration === 'number' ? config.duration : undefined;
    return {
      shape: 'machine-readable',
      testRunDurationMs: seconds === undefined ? undefined : seconds * 1000,
      metrics,
      checks: checksOf(isRecord(results.checks) ? results.checks.results : undefined),
    };
  }

  if (isRecord(data.metrics)) {
    for (const [name, m] of Object.entries(data.metrics)) {
      if (!isRecord(m) || !TYPES.includes(m.type as MetricType)) continue;
      const type = m.type as MetricType;
      const values = numbers(m.values);
      let thresholds: Record<string, boolean> | undefined;
      if (isRecord(m.thresholds)) {
        thresholds = {};
        for (const [expr, t] of Object.entries(m.thresholds)) {
          if (isRecord(t) && typeof t.ok === 'boolean') thresholds[expr] = t.ok;
        }
      }
      metrics.set(name, { type, values: type === 'rate' ? normaliseRate(values) : values, thresholds });
    }
    const state = isRecord(data.state) ? data.state : {};
    const ms = typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : undefined;
    const root = isRecord(data.root_group) ? data.root_group : {};
    return { shape: 'legacy', testRunDurationMs: ms, metrics, checks: checksOf(root.checks) };
  }
  return { shape: 'unknown', testRunDurationMs: undefined, metrics, checks: new Map() };
}

/** A Counter's count (0 when absent: an unobserved counter never counted anything). */
export function countOf(view: SummaryView, name: string): number {
  return view.metrics.get(name)?.values.count ?? 0;
}

/** A Rate's ratio, or undefined when it had no samples. */
export function rateOf(view: SummaryView, name: string): number | undefined {
  return view.metrics.get(name)?.values.rate;
}

/**
 * A statistic (`p(99)`, `avg`, `value`, ...), or undefined. k6 reports zeros for a Trend without
 * samples; those are unknown, not 0 ms, so a Trend whose `count` is 0 has no statistics.
 */
export function statOf(view: SummaryView, name: string, stat: string): number | undefined {
  const m = view.metrics.get(name);
  if (!m) return undefined;
  if (m.type === 'trend' && m.values.count === 0 && stat !== 'count') return undefined;
  return m.values[stat];
}

const REJECTED_BY_CODE = /^ml_transfers_rejected\{error_code:([\w.-]+)\}$/;

/** Rejections per `error_code` sub-metric the summary carries (those the options break out), largest first. */
export function rejectionsByCode(view: SummaryView): Array<{ code: string; count: number }> {
  const out: Array<{ code: string; count: number }> = [];
  for (const name of view.metrics.keys()) {
    const m = REJECTED_BY_CODE.exec(name);
    if (!m) continue;
    const count = countOf(view, name);
    if (count > 0) out.push({ code: m[1]!, count });
  }
  return out.sort((a, b) => b.count - a.count);
}

/**
 * The rejection reasons the run named (failing checks `rejected <code>: <text>`, see
 * rejection-reasons.ts), largest first.
 */
export function rejectionReasons(view: SummaryView): Array<{ reason: string; count: number }> {
  const out: Array<{ reason: string; count: number }> = [];
  for (const [name, c] of view.checks) {
    const reason = reasonOfCheck(name);
    if (reason !== undefined && c.fails > 0) out.push({ reason, count: c.fails });
  }
  return out.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** Threshold results across metrics, `metric: expression` → passed (legacy shape only). */
export function thresholdResults(
  view: SummaryView,
): Array<{ metric: string; expression: string; ok: boolean }> {
  const out: Array<{ metric: string; expression: string; ok: boolean }> = [];
  for (const [metric, m] of view.metrics) {
    for (const [expression, ok] of Object.entries(m.thresholds ?? {})) out.push({ metric, expression, ok });
  }
  return out;
}
