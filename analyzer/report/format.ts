/**
 * Number formatting and the "figure rows" shared by the Markdown and HTML reports, so both show
 * the same figures with the same rounding.
 */
import { humanDuration } from '../../lib/config/duration.ts';
import { percent } from '../../lib/format/numbers.ts';
import type { AnalysisReport, Figures, Percentiles } from '../model/types.ts';

export function num(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Shares in the reports: two decimals. */
export const pct = (x: number | null | undefined, digits = 2): string => percent(x, digits);

export function ms(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : `${num(x, x < 10 ? 2 : 1)} ms`;
}

function pctl(p: Percentiles | null | undefined): string {
  if (!p || p.count === 0) return '-';
  return `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)}`;
}

/** [label, full-run value, steady-state value] rows of the figures table. */
export function figureRows(r: AnalysisReport): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const f = r.full;
  const s = r.steady;
  const add = (label: string, get: (x: Figures) => string) => rows.push([label, get(f), get(s)]);
  add(
    'window',
    (x) =>
      `${humanDuration(x.fromSec * 1000)} – ${humanDuration(x.toSec * 1000)} (${humanDuration(x.durationSec * 1000)})`,
  );
  add(`target rate (${r.target.source})`, (x) => (x.targetTps === null ? '-' : `${num(x.targetTps)}/s`));
  add(
    r.flavour === 'kit' ? 'achieved (committed)' : 'achieved (iterations)',
    (x) => `${num(x.achievedTps)}/s`,
  );
  add('attainment', (x) => pct(x.attainment, 1));
  if (r.flavour === 'kit') add('completed (any outcome)', (x) => `${num(x.completedTps)}/s`);
  add(r.flavour === 'kit' ? 'started (sent)' : 'started', (x) => `${num(x.startedTps)}/s`);
  add('dropped iterations', (x) => `${num(x.counts.dropped, 0)} (${pct(x.dropShare)})`);
  if (r.flavour === 'kit') {
    add('sent / committed / rejected / timed out', (x) =>
      [x.counts.sent, x.counts.committed, x.counts.rejected, x.counts.timedOut]
        .map((n) => num(n, 0))
        .join(' / '),
    );
    add('success ratio', (x) => pct(x.successRatio));
  } else {
    add('iterations', (x) => num(x.counts.iterations, 0));
  }
  if (f.httpErrorRate !== null) add('http_req_failed', (x) => pct(x.httpErrorRate));
  if (f.over1sShare !== null) add('share over 1 s', (x) => pct(x.over1sShare));
  const names = Object.keys(f.latency);
  const ordered = r.latencyOfRecord
    ? [r.latencyOfRecord, ...names.filter((n) => n !== r.latencyOfRecord)]
    : names;
  for (const name of ordered) {
    add(`${name}${name === r.latencyOfRecord ? ' (of record)' : ''} p50 / p95 / p99`, (x) =>
      pctl(x.latency[name]),
    );
    if (name === r.latencyOfRecord)
      add(`${name} max / mean`, (x) => `${ms(x.latency[name]?.max)} / ${ms(x.latency[name]?.mean)}`);
  }
  if (f.scheduleLag !== null) add('schedule lag p50 / p95 / p99', (x) => pctl(x.scheduleLag));
  if (f.vusMean !== null || f.vusMaxCapacity !== null) {
    add(
      'VUs mean / peak / vus_max',
      (x) => `${num(x.vusMean)} / ${num(x.vusMax, 0)} / ${num(x.vusMaxCapacity, 0)}`,
    );
    add('seconds with VUs ≥ 95% of vus_max', (x) => pct(x.vusSaturatedShare, 1));
  }
  return rows;
}

export function rangeText(rs: { fromSec: number; toSec: number }[], max = 6): string {
  const shown = rs
    .slice(0, max)
    .map((x) => `${humanDuration(x.fromSec * 1000)}–${humanDuration(x.toSec * 1000)}`);
  return shown.join(', ') + (rs.length > max ? ` (+${rs.length - max})` : '');
}
