/**
 * report.html: one self-contained file that works offline. The uPlot chart library (installed as
 * an npm dependency) is read from node_modules at render time and inlined with its CSS, next to the
 * series as JSON; nothing is fetched when the page opens.
 *
 * Charts: throughput against the target (with drops), latency percentiles over time, the
 * starvation panel (VUs against vus_max, drops, schedule lag) and outcomes by code. Warm-up and
 * drain are greyed, detection ranges tinted (red: hub, amber: generator).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { humanDuration } from '../../lib/config/duration.ts';
import type { AnalysisReport, Series, VerdictStatus } from '../model/types.ts';
import { figureRows, num, pct, rangeText } from './format.ts';

/** Series longer than this many 1-s points are drawn from the 10-s series instead. */
export const MAX_CHART_POINTS = 7200;

let uplotAssets: { js: string; css: string } | undefined;

/** Reads uPlot's minified build and CSS from node_modules (cached). */
export function loadUplot(): { js: string; css: string } {
  if (uplotAssets === undefined) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    uplotAssets = { js, css };
  }
  return uplotAssets;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function chartData(r: AnalysisReport): { series: Series; record: string | null; phases: string[] } {
  const series = r.series.s1.t.length <= MAX_CHART_POINTS ? r.series.s1 : r.series.s10;
  const phases = Object.keys(series.latency).filter((k) => k.startsWith('phase:'));
  return { series, record: r.latencyOfRecord, phases };
}

const STATUS_COLOUR: Record<VerdictStatus, string> = {
  HEALTHY: '#1a7f37',
  'HUB-SATURATED': '#cf222e',
  'HUB-DEGRADING': '#cf222e',
  'GENERATOR-BOUND': '#9a6700',
  REJECTED: '#cf222e',
  INCONCLUSIVE: '#9a6700',
  INVALID: '#6e7781',
};

export function renderHtml(r: AnalysisReport): string {
  const { js, css } = loadUplot();
  const v = r.verdict;
  const data = {
    ...chartData(r),
    steady: [r.steadyState.startSec, r.steadyState.endSec],
    detections: r.detections.map((d) => ({
      side: d.side,
      ranges: d.ranges.map((x) => [x.fromSec, x.toSec]),
    })),
    flavour: r.flavour,
  };
  const rows = figureRows(r)
    .map(([k, a, b]) => `<tr><th>${esc(k)}</th><td>${esc(a)}</td><td>${esc(b)}</td></tr>`)
    .join('');
  const gate = r.gate.checks
    .map(
      (c) =>
        `<tr class="g-${c.status}"><th>${esc(c.name)}</th><td>${c.status.toUpperCase()}</td><td>${esc(c.detail)}</td></tr>`,
    )
    .join('');
  const dets = r.detections
    .map(
      (d) =>
        `<tr class="side-${d.side}"><th>${esc(d.kind)}</th><td>${d.side}</td><td>${esc(rangeText(d.ranges))}</td><td>${esc(d.summary)}</td></tr>`,
    )
    .join('');
  const runners = r.runners
    .map(
      (x) =>
        `<tr><th>${esc(x.instanceId !== null ? `instance_id=${x.instanceId}` : x.key)}</th><td>${esc(x.files.join(', '))}</td><td>${esc(humanDuration(x.firstSec * 1000))}</td><td>${esc(humanDuration(x.lastSec * 1000))}</td><td>${num(x.points, 0)}</td><td>${num(x.counts.sent, 0)}</td><td>${num(x.counts.committed, 0)}</td><td>${num(x.counts.iterations, 0)}</td><td>${num(x.counts.dropped, 0)}</td></tr>`,
    )
    .join('');
  const outcomes = Object.entries(r.steady.outcomes).sort((a, b) => b[1] - a[1]);
  const outTotal = outcomes.reduce((s, [, n]) => s + n, 0);
  const outRows = outcomes
    .map(
      ([k, n]) =>
        `<tr><th>${esc(k)}</th><td>${num(n, 0)}</td><td>${pct(outTotal > 0 ? n / outTotal : null)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>k6 run analysis — ${esc(v.status)}</title>
<style>${css}</style>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:4px 0 8px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.badge{display:inline-block;color:#fff;padding:2px 10px;border-radius:12px;font-weight:600;background:${STATUS_COLOUR[v.status] ?? '#444'}}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-weight:600;white-space:nowrap}.g-fail td,.g-fail th{color:#cf222e}.g-warn td,.g-warn th{color:#9a6700}
.side-hub th{color:#cf222e}.side-generator th{color:#9a6700}.muted{color:#656d76}
.chart{margin:10px 0 18px}.legend-note{font-size:12px;color:#656d76}
</style></head><body>
<h1>k6 run analysis <span class="badge" id="status">${esc(v.status)}</span></h1>
<p class="muted">${esc(r.run.startIso)} → ${esc(r.run.endIso)} (${esc(humanDuration(r.run.durationSec * 1000))}), ${r.runners.length} runner(s), ${r.flavour === 'kit' ? 'kit metrics' : 'k6 built-in metrics'}; culprit: <b>${esc(v.culprit)}</b></p>
<p><b>${esc(v.headline)}</b></p>
${v.evidence.length > 0 ? `<h2>Evidence</h2><ul>${v.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}
${v.nextSteps.length > 0 ? `<h2>Next steps</h2><ol>${v.nextSteps.map((e) => `<li>${esc(e)}</li>`).join('')}</ol>` : ''}
<h2>Throughput against target</h2><div class="chart" id="chart-tps"></div>
<h2>Latency percentiles over time</h2><div class="chart" id="chart-latency"></div>
<h2>Generator health (starvation panel)</h2><div class="chart" id="chart-starvation"></div>
<h2>Outcomes by code</h2><div class="chart" id="chart-outcomes"></div>
<p class="legend-note">Grey: warm-up and drain (outside the steady state). Red: hub findings. Amber: generator findings. ${data.series.stepSec}-s windows; rates per second.</p>
<h2>Validity gate: ${r.gate.valid ? 'valid' : 'INVALID'}</h2><table>${gate}</table>
<h2>Figures</h2><table><tr><th></th><th>full run</th><th>steady state</th></tr>${rows}</table>
<p class="muted">Steady state ${esc(humanDuration(r.steadyState.startSec * 1000))} – ${esc(humanDuration(r.steadyState.endSec * 1000))}: ${esc(r.steadyState.rule)}. Target: ${esc(r.target.detail)}. Percentiles within ±${pct(r.percentilePrecision)}.</p>
<h2>Detections</h2>${dets.length > 0 ? `<table><tr><th>finding</th><th>side</th><th>when</th><th>summary</th></tr>${dets}</table>` : '<p>None.</p>'}
${outRows.length > 0 ? `<h2>Outcomes (steady state)</h2><table><tr><th>code</th><th>count</th><th>share</th></tr>${outRows}</table>` : ''}
<h2>Runners</h2><table><tr><th>runner</th><th>files</th><th>first</th><th>last</th><th>samples</th><th>sent</th><th>committed</th><th>iterations</th><th>dropped</th></tr>${runners}</table>
${r.notes.length > 0 ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<script>${js}</script>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${CLIENT_JS}</script>
</body></html>
`;
}

/** Browser code that draws the charts from #report-data (plain ES2017, no build step). */
const CLIENT_JS = `
(function () {
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var S = D.series;
  var COLORS = ['#0969da', '#1a7f37', '#cf222e', '#8250df', '#bf8700', '#1b7c83', '#e16f24', '#6e7781'];
  function shade() {
    return { hooks: { drawClear: [function (u) {
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      function band(a, b, color) {
        var x0 = u.valToPos(a, 'x', true), x1 = u.valToPos(b, 'x', true);
        if (!isFinite(x0) || !isFinite(x1) || x1 <= x0) return;
        ctx.fillStyle = color; ctx.fillRect(x0, top, x1 - x0, h);
      }
      var t0 = S.t.length ? S.t[0] : 0, t1 = S.t.length ? S.t[S.t.length - 1] + S.stepSec : 0;
      ctx.save();
      band(t0, D.steady[0], 'rgba(110,119,129,0.12)');
      band(D.steady[1], t1, 'rgba(110,119,129,0.12)');
      D.detections.forEach(function (d) {
        d.ranges.forEach(function (r) { band(r[0], r[1], d.side === 'hub' ? 'rgba(207,34,46,0.10)' : 'rgba(191,135,0,0.14)'); });
      });
      ctx.restore();
    }] } };
  }
  function width(el) { return Math.max(320, (el.clientWidth || 1000)); }
  function chart(id, title, series, data, axes, scales) {
    var el = document.getElementById(id);
    var opts = {
      title: title, width: width(el), height: 280, plugins: [shade()],
      scales: Object.assign({ x: { time: false } }, scales || {}),
      series: [{ label: 't (s)' }].concat(series),
      axes: [{ label: 'seconds from start' }].concat(axes),
      legend: { live: true },
    };
    var u = new uPlot(opts, [S.t].concat(data), el);
    window.addEventListener('resize', function () { u.setSize({ width: width(el), height: 280 }); });
    return u;
  }
  function line(label, i, extra) {
    return Object.assign({ label: label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }, extra || {});
  }
  // 1. Throughput.
  chart('chart-tps', 'Rate per second',
    [line('target', 7, { dash: [6, 4] }), line('achieved', 1), line('started', 0), line('dropped', 2)],
    [S.targetTps, S.achievedTps, S.startedTps, S.droppedPerSec],
    [{ label: 'per second' }]);
  // 2. Latency.
  var lat = [], latData = [];
  var rec = D.record && S.latency[D.record];
  if (rec) {
    lat.push(line(D.record + ' p50', 0), line(D.record + ' p95', 4), line(D.record + ' p99', 2));
    latData.push(rec.p50, rec.p95, rec.p99);
  }
  D.phases.forEach(function (p, k) {
    lat.push(line(p + ' p95', 3 + k, { width: 1, dash: [3, 3] }));
    latData.push(S.latency[p].p95);
  });
  if (lat.length === 0) { lat.push(line('no latency metric', 7)); latData.push(S.t.map(function () { return null; })); }
  // Log scale: a stall's seconds-long spike must not flatten a slow drift of a few ms.
  chart('chart-latency', 'Latency (ms, log scale)', lat, latData, [{ label: 'ms' }], { y: { distr: 3, log: 10 } });
  // 3. Starvation panel.
  var st = [line('VUs', 0, { scale: 'vus' }), line('vus_max', 7, { scale: 'vus', dash: [6, 4] }), line('dropped/s', 2, { scale: 'rate' })];
  var stData = [S.vus, S.vusMax, S.droppedPerSec];
  var stAxes = [{ label: 'VUs', scale: 'vus' }, { label: 'dropped/s', scale: 'rate', side: 1, grid: { show: false } }];
  if (S.scheduleLag) {
    st.push(line('schedule lag p95 (ms)', 4, { scale: 'ms' }));
    stData.push(S.scheduleLag.p95);
    stAxes.push({ label: 'lag ms', scale: 'ms', side: 1, grid: { show: false } });
  }
  chart('chart-starvation', 'VUs, drops and schedule lag', st, stData, stAxes, { vus: {}, rate: {}, ms: {} });
  // 4. Outcomes.
  var codes = Object.keys(S.outcomes);
  var oc = [], ocData = [];
  codes.forEach(function (c, k) { oc.push(line(c, k)); ocData.push(S.outcomes[c]); });
  if (oc.length === 0) { oc.push(line('no outcome metric', 7)); ocData.push(S.t.map(function () { return null; })); }
  chart('chart-outcomes', 'Outcomes per second', oc, ocData, [{ label: 'per second' }]);
  document.body.setAttribute('data-charts', 'drawn');
})();
`;
