/**
 * The Grafana dashboard for a distributed run under Prometheus remote write
 * (k6-operator/grafana/mojaloop-k6.json is its rendering: `npm run plan -- regenerate`).
 *
 * Built from the metric names in lib/metrics/registry.ts through the remote-write naming rules
 * (rw-names.ts), so a renamed metric breaks the build, not the dashboard. Conventions:
 * - every query is filtered by `testrun_name=~"$testrun"` (the operator tags every series with it);
 * - totals are `sum(...)` over runners (`instance_id`), per-runner panels group `by (instance_id)`:
 *   a runner that died shows as a line that stops while the others go on;
 * - latency percentiles come from native histograms merged across runners with
 *   `histogram_quantile` (k6 `--features native-histograms`); per-runner percentile gauges cannot
 *   be merged;
 * - Rates (`k6_*_rate`) are each runner's cumulative ratio, so they are shown per runner, and the
 *   global success ratio is computed from counters instead.
 */
import { builtinSeries, kitSeries } from './rw-names.ts';

// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable reference, not a JS template
const DS = { type: 'prometheus', uid: '${datasource}' };
const SEL = 'testrun_name=~"$testrun"';
const RI = '$__rate_interval';

interface Target {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  description: string;
  targets: Target[];
  unit?: string;
  kind?: 'timeseries' | 'stat';
  width?: number;
  min?: number;
}

function rate(series: string, by?: string, extra = ''): string {
  const sel = extra ? `${SEL}, ${extra}` : SEL;
  return by ? `sum by (${by}) (rate(${series}{${sel}}[${RI}]))` : `sum(rate(${series}{${sel}}[${RI}]))`;
}

function quantile(q: number, series: string, by?: string): string {
  const inner = `rate(${series}{${SEL}}[${RI}])`;
  return by
    ? `histogram_quantile(${q}, sum by (${by}) (${inner}))`
    : `histogram_quantile(${q}, sum(${inner}))`;
}

function perRunner(series: string, agg = 'max'): string {
  return `${agg} by (instance_id) (${series}{${SEL}})`;
}

const committed = kitSeries('transfersCommitted');
const rejected = kitSeries('transfersRejected');
const timedOut = kitSeries('transfersTimedOut');
const sent = kitSeries('transfersSent');

const SECTIONS: Array<{ row: string; panels: PanelSpec[] }> = [
  {
    row: 'Throughput (all runners)',
    panels: [
      {
        title: 'Achieved vs target TPS',
        description:
          'Transfers per second summed over every runner. Committed is the achieved rate; sent is what the generator started; target is the $target_tps variable.',
        unit: 'reqps',
        width: 12,
        targets: [
          { expr: rate(committed), legend: 'committed/s' },
          { expr: rate(sent), legend: 'sent/s' },
          {
            expr: rate(builtinSeries('iterations'), undefined, 'scenario!="collector"'),
            legend: 'iterations/s',
          },
          { expr: 'vector($target_tps)', legend: 'target' },
        ],
      },
      {
        title: 'Attainment (committed / target, 1 m)',
        description: 'Committed transfers per second over the last minute, as a share of $target_tps.',
        unit: 'percentunit',
        kind: 'stat',
        width: 4,
        targets: [{ expr: `sum(rate(${committed}{${SEL}}[1m])) / $target_tps`, legend: 'attainment' }],
      },
      {
        title: 'Runners sending vs expected',
        description:
          'Runners whose transfers counter moved in the last minute, against $runners (the parallelism). Fewer means a runner died (OOM, eviction) and its share of the load is missing.',
        kind: 'stat',
        width: 4,
        targets: [
          { expr: `count(sum by (instance_id) (rate(${sent}{${SEL}}[1m])) > 0)`, legend: 'sending' },
          { expr: 'vector($runners)', legend: 'expected' },
        ],
      },
      {
        title: 'Sent TPS per runner',
        description:
          'Each runner should carry 1/$runners of the target. A line that stops while the others continue is a runner that died: the TestRun still ends "finished".',
        unit: 'reqps',
        width: 4,
        targets: [{ expr: rate(sent, 'instance_id'), legend: 'runner {{instance_id}}' }],
      },
    ],
  },
  {
    row: 'Outcomes',
    panels: [
      {
        title: 'Final outcomes per second',
        description:
          'Every sent transfer ends exactly once: committed, rejected (by error code) or timed out.',
        unit: 'reqps',
        width: 12,
        targets: [
          { expr: rate(committed), legend: 'committed' },
          { expr: rate(rejected, 'error_code'), legend: 'rejected {{error_code}}' },
          { expr: rate(timedOut), legend: 'timed out' },
          { expr: rate(kitSeries('outcomesLate')), legend: 'late (already timed out)' },
          { expr: rate(kitSeries('callbacksDuplicate')), legend: 'duplicate callbacks' },
        ],
      },
      {
        title: 'Success ratio (committed / final outcomes)',
        description:
          'From counters summed over runners (the per-runner k6_*_rate series are cumulative ratios and cannot be summed).',
        unit: 'percentunit',
        width: 6,
        min: 0,
        targets: [
          {
            expr:
              `sum(increase(${committed}{${SEL}}[${RI}])) / (sum(increase(${committed}{${SEL}}[${RI}])) + ` +
              `sum(increase(${rejected}{${SEL}}[${RI}])) + sum(increase(${timedOut}{${SEL}}[${RI}])))`,
            legend: 'success',
          },
        ],
      },
      {
        title: 'Rejections by stage',
        description: 'sync = the hub refused the POST; async = an error callback.',
        unit: 'reqps',
        width: 6,
        targets: [
          { expr: rate(rejected, 'stage'), legend: '{{stage}}' },
          { expr: rate(kitSeries('relayEvicted')), legend: 'relay evicted unread' },
        ],
      },
    ],
  },
  {
    row: 'Latency (native histograms, merged over runners)',
    panels: [
      {
        title: 'End-to-end transfer latency',
        description: 'POST /transfers to the final callback. Mojaloop bar: p99 < 1 s.',
        unit: 's',
        width: 12,
        targets: [
          { expr: quantile(0.5, kitSeries('transferE2e')), legend: 'p50' },
          { expr: quantile(0.95, kitSeries('transferE2e')), legend: 'p95' },
          { expr: quantile(0.99, kitSeries('transferE2e')), legend: 'p99' },
        ],
      },
      {
        title: 'Share of transfers over 1 s',
        description:
          "Merged over runners from the native histogram (Mojaloop bar: ≤ 1%), and each runner's own cumulative ratio.",
        unit: 'percentunit',
        width: 6,
        targets: [
          {
            expr: `1 - histogram_fraction(0, 1, sum(rate(${kitSeries('transferE2e')}{${SEL}}[${RI}])))`,
            legend: 'all runners',
          },
          { expr: perRunner(kitSeries('transferOver1s')), legend: 'runner {{instance_id}} (cumulative)' },
        ],
      },
      {
        title: 'Per-phase p99',
        description: 'parties / quotes / transfers phases of the e2e and outbound flows.',
        unit: 's',
        width: 6,
        targets: [{ expr: quantile(0.99, kitSeries('phaseDuration'), 'phase'), legend: '{{phase}} p99' }],
      },
      {
        title: 'HTTP request duration p99 by request name',
        description: 'Synchronous responses (k6 http_req_duration), grouped by the name tag.',
        unit: 's',
        width: 12,
        targets: [
          { expr: quantile(0.99, builtinSeries('http_req_duration'), 'name'), legend: '{{name}} p99' },
        ],
      },
    ],
  },
  {
    row: 'Generator health (starvation, per runner)',
    panels: [
      {
        title: 'Dropped iterations per runner',
        description:
          'Iterations k6 could not start for lack of a free VU. Drops under flat latency are a generator problem.',
        unit: 'reqps',
        width: 6,
        targets: [
          {
            expr: rate(builtinSeries('dropped_iterations'), 'instance_id'),
            legend: 'runner {{instance_id}}',
          },
        ],
      },
      {
        title: 'Busy VUs vs maxVUs per runner',
        description:
          'vus counts VUs running an iteration; vus_max the initialized ones. Busy ≈ max means no headroom.',
        width: 6,
        targets: [
          { expr: perRunner(builtinSeries('vus')), legend: 'busy {{instance_id}}' },
          { expr: perRunner(builtinSeries('vus_max')), legend: 'max {{instance_id}}' },
        ],
      },
      {
        title: 'VU headroom per runner',
        description: "Free share of the runner's maxVUs (0 = no free VU).",
        unit: 'percentunit',
        width: 6,
        min: 0,
        targets: [{ expr: perRunner(kitSeries('vuHeadroom'), 'min'), legend: 'runner {{instance_id}}' }],
      },
      {
        title: 'Rate attainment per runner',
        description: "Achieved / this runner's share of the target rate.",
        unit: 'percentunit',
        width: 6,
        targets: [{ expr: perRunner(kitSeries('rateAttainment'), 'min'), legend: 'runner {{instance_id}}' }],
      },
      {
        title: 'Schedule lag p99 per runner',
        description:
          'How late iterations start against the arrival-rate schedule: a CPU-starved or VU-starved generator.',
        unit: 's',
        width: 8,
        targets: [
          { expr: quantile(0.99, kitSeries('scheduleLag'), 'instance_id'), legend: 'runner {{instance_id}}' },
        ],
      },
      {
        title: 'Client overhead p99 per runner',
        description: 'CPU time per iteration not spent waiting on the network.',
        unit: 's',
        width: 8,
        targets: [
          {
            expr: quantile(0.99, kitSeries('clientOverhead'), 'instance_id'),
            legend: 'runner {{instance_id}}',
          },
        ],
      },
      {
        title: 'Generator-starvation detector per runner',
        description: 'Cumulative share of detector checks that fired.',
        unit: 'percentunit',
        width: 8,
        targets: [{ expr: perRunner(kitSeries('generatorStarved')), legend: 'runner {{instance_id}}' }],
      },
    ],
  },
  {
    row: 'Hub health (drift)',
    panels: [
      {
        title: 'Latency drift (ms per minute)',
        description: 'Robust slope of latency: a steady rise is a queue building up in the hub.',
        width: 8,
        targets: [{ expr: perRunner(kitSeries('latencyDrift')), legend: 'runner {{instance_id}}' }],
      },
      {
        title: 'Sawtooth period (s) and amplitude (ms)',
        description: 'Slow rise, sharp drop, repeating (GC, batch flushes); 0 when none.',
        width: 8,
        targets: [
          { expr: perRunner(kitSeries('sawtoothPeriod')), legend: 'period {{instance_id}}' },
          { expr: perRunner(kitSeries('sawtoothAmplitude')), legend: 'amplitude {{instance_id}}' },
        ],
      },
      {
        title: 'Latency pauses per minute and hub-degradation detector',
        description: "Pauses/spikes detected (all runners) and each runner's cumulative detector ratio.",
        width: 8,
        targets: [
          { expr: `sum(rate(${kitSeries('latencyPauses')}{${SEL}}[${RI}])) * 60`, legend: 'pauses/min' },
          { expr: perRunner(kitSeries('hubDegrading')), legend: 'degrading {{instance_id}}' },
        ],
      },
    ],
  },
];

function panel(spec: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const kind = spec.kind ?? 'timeseries';
  const defaults: Record<string, unknown> = { unit: spec.unit ?? 'short' };
  if (spec.min !== undefined) defaults.min = spec.min;
  const base: Record<string, unknown> = {
    id,
    type: kind,
    title: spec.title,
    description: spec.description,
    datasource: DS,
    gridPos: { h: 8, w: spec.width ?? 12, x, y },
    fieldConfig: { defaults, overrides: [] },
    targets: spec.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      expr: t.expr,
      legendFormat: t.legend,
      range: true,
    })),
  };
  base.options =
    kind === 'stat'
      ? {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          colorMode: 'value',
          graphMode: 'area',
        }
      : {
          legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
          tooltip: { mode: 'multi', sort: 'desc' },
        };
  return base;
}

/** The dashboard model (Grafana JSON, schemaVersion 39). */
export function buildDashboard(): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const section of SECTIONS) {
    panels.push({
      id: id++,
      type: 'row',
      title: section.row,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const spec of section.panels) {
      const w = spec.width ?? 12;
      if (x + w > 24) {
        x = 0;
        y += 8;
      }
      panels.push(panel(spec, id++, x, y));
      x += w;
    }
    y += 8;
  }
  return {
    title: 'Mojaloop k6 — distributed run',
    uid: 'mojaloop-k6',
    description:
      'The mojaloop-k6 kit under k6-operator with Prometheus remote write (--out experimental-prometheus-rw, --features native-histograms). Generated by npm run plan -- regenerate.',
    tags: ['k6', 'mojaloop', 'load-test'],
    editable: true,
    graphTooltip: 1,
    refresh: '10s',
    schemaVersion: 39,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'utc',
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
        {
          name: 'testrun',
          label: 'TestRun',
          type: 'query',
          datasource: DS,
          query: { query: `label_values(${builtinSeries('vus')}, testrun_name)`, refId: 'testrun' },
          definition: `label_values(${builtinSeries('vus')}, testrun_name)`,
          refresh: 2,
          includeAll: true,
          multi: false,
          current: {},
          hide: 0,
        },
        {
          name: 'target_tps',
          label: 'Target TPS',
          type: 'textbox',
          query: '1000',
          current: { text: '1000', value: '1000' },
          hide: 0,
        },
        {
          name: 'runners',
          label: 'Runners (parallelism)',
          type: 'textbox',
          query: '4',
          current: { text: '4', value: '4' },
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
