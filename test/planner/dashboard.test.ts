/**
 * The Grafana dashboard queries only metrics the kit's runs emit, under the names k6's Prometheus
 * remote-write output gives them (planner/dashboard/rw-names.ts), from the types of the metric
 * registry (lib/metrics/registry.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC } from '../../lib/metrics/registry.ts';
import { dashboardQueries, metricNames } from '../../planner/dashboard/promql.ts';
import { resolveRwName } from '../../planner/dashboard/rw-names.ts';
import { DASHBOARD_FILE } from '../../planner/manifests/generate.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML/JSON documents are walked freely in assertions
type Doc = any;

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Doc;
const queries = dashboardQueries(dashboard);

describe('metricNames (PromQL)', () => {
  it.each([
    ['sum(rate(k6_a_total{testrun_name=~"$testrun", scenario!="x"}[$__rate_interval]))', ['k6_a_total']],
    ['histogram_quantile(0.99, sum by (phase) (rate(k6_b_seconds{x="y"}[5m])))', ['k6_b_seconds']],
    ['max by (instance_id) (k6_c{a="b"}) / on(instance_id) group_left k6_d', ['k6_c', 'k6_d']],
    ['vector($target_tps) * 1e3 + k6_e offset 5m', ['k6_e']],
    ['count(sum by (instance_id) (rate(k6_f_total[1m])) > 0)', ['k6_f_total']],
    ['label_values(k6_vus, testrun_name)', ['k6_vus']],
    ['k6_g_total and bool k6_h_rate', ['k6_g_total', 'k6_h_rate']],
  ])('%s reads %j', (expr, names) => {
    expect(metricNames(expr).sort()).toEqual([...names].sort());
  });
});

describe('remote-write names', () => {
  it('resolve the kit and built-in metrics by type, and nothing else', () => {
    expect(resolveRwName('k6_ml_transfers_sent_total')?.metric).toBe(METRIC.transfersSent);
    expect(resolveRwName('k6_ml_transfer_success_rate')?.metric).toBe(METRIC.transferSuccess);
    expect(resolveRwName('k6_ml_vu_headroom')?.metric).toBe(METRIC.vuHeadroom);
    expect(resolveRwName('k6_ml_transfer_e2e_seconds')?.metric).toBe(METRIC.transferE2e);
    expect(resolveRwName('k6_ml_transfer_e2e_p99')?.metric).toBe(METRIC.transferE2e);
    expect(resolveRwName('k6_http_req_duration_seconds')?.metric).toBe('http_req_duration');
    expect(resolveRwName('k6_iterations_total')?.metric).toBe('iterations');
    // Wrong suffix for the type, unknown metric, missing prefix.
    expect(resolveRwName('k6_ml_transfers_sent_rate')).toBeUndefined();
    expect(resolveRwName('k6_ml_transfer_success_total')).toBeUndefined();
    expect(resolveRwName('k6_ml_vu_headroom_total')).toBeUndefined();
    expect(resolveRwName('k6_ml_transfer_e2e')).toBeUndefined();
    expect(resolveRwName('k6_ml_made_up_total')).toBeUndefined();
    expect(resolveRwName('ml_transfers_sent_total')).toBeUndefined();
  });
});

describe('the dashboard', () => {
  it('has queries, each reading only emitted metrics under their remote-write names', () => {
    expect(queries.length).toBeGreaterThan(20);
    const unknown: string[] = [];
    for (const q of queries) {
      const names = metricNames(q);
      // Only constant reference lines (`vector($target_tps)`) may read no metric.
      if (names.length === 0) expect(q).toMatch(/^vector\(\$\w+\)$/);
      for (const n of names) if (!resolveRwName(n)) unknown.push(`${n} in ${q}`);
    }
    expect(unknown).toEqual([]);
  });

  it('scopes every panel query to the chosen TestRun', () => {
    const panelExprs: string[] = (dashboard.panels as Doc[]).flatMap((p) =>
      (p.targets ?? []).map((t: Doc) => t.expr as string),
    );
    for (const q of panelExprs) {
      if (metricNames(q).length === 0) continue;
      const selectors = q.match(/k6_\w+\{[^}]*\}/g) ?? [];
      const bare = metricNames(q).filter((n) => !selectors.some((s) => s.startsWith(`${n}{`)));
      expect(bare, q).toEqual([]);
      for (const s of selectors) expect(s, q).toContain('testrun_name=~"$testrun"');
    }
  });

  it('reads Trends only as native histograms, through histogram_quantile/histogram_fraction', () => {
    for (const q of queries) {
      for (const n of metricNames(q)) {
        if (resolveRwName(n)!.info.type !== 'trend') continue;
        expect(n, q).toMatch(/_seconds$/);
        expect(q, n).toMatch(/histogram_(quantile|fraction)\(/);
      }
    }
  });

  it('shows the headline series: achieved vs target, outcomes by code, e2e percentiles, starvation, drift, per-runner rates', () => {
    const all = queries.join('\n');
    for (const needle of [
      'k6_ml_transfers_committed_total',
      'vector($target_tps)',
      'sum by (error_code)',
      'histogram_quantile(0.99, sum(rate(k6_ml_transfer_e2e_seconds',
      'k6_dropped_iterations_total',
      'k6_ml_schedule_lag_seconds',
      'k6_ml_latency_drift',
      'sum by (instance_id) (rate(k6_ml_transfers_sent_total',
    ]) {
      expect(all).toContain(needle);
    }
  });

  it('is valid Grafana JSON with unique panel ids and panels inside the 24-column grid', () => {
    const ids = (dashboard.panels as Doc[]).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels as Doc[]) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    expect(dashboard.templating.list.map((v: Doc) => v.name)).toEqual([
      'datasource',
      'testrun',
      'target_tps',
      'runners',
    ]);
  });
});
