/** The Markdown report: verdict first, then the evidence behind it, then the tables. */
import { humanDuration } from '../../lib/config/duration.ts';
import type { AnalysisReport } from '../model/types.ts';
import { figureRows, num, pct, rangeText } from './format.ts';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(head: string[], rows: string[][]): string {
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${r.map(cell).join(' | ')} |`);
  return out.join('\n');
}

export function renderMarkdown(r: AnalysisReport): string {
  const v = r.verdict;
  const parts: string[] = [];
  parts.push('# k6 run analysis');
  parts.push(
    `Run ${r.run.startIso} → ${r.run.endIso} (${humanDuration(r.run.durationSec * 1000)}), ${r.runners.length} runner(s), ${r.flavour === 'kit' ? 'kit metrics' : 'k6 built-in metrics'}${r.run.testruns.length > 0 ? `, test run ${r.run.testruns.join(', ')}` : ''}.`,
  );
  parts.push(`## Verdict: ${v.status}\n\n**${v.headline}**\n\nCulprit: **${v.culprit}**`);
  if (v.evidence.length > 0) parts.push(`### Evidence\n\n${v.evidence.map((e) => `- ${e}`).join('\n')}`);
  if (v.nextSteps.length > 0)
    parts.push(`### Next steps\n\n${v.nextSteps.map((e, i) => `${i + 1}. ${e}`).join('\n')}`);
  parts.push(
    `## Validity gate: ${r.gate.valid ? 'valid' : 'INVALID'}\n\n${table(
      ['check', 'status', 'detail'],
      r.gate.checks.map((c) => [c.name, c.status.toUpperCase(), c.detail]),
    )}`,
  );
  parts.push(`## Figures\n\n${table(['figure', 'full run', 'steady state'], figureRows(r))}`);
  parts.push(
    `Steady state: ${humanDuration(r.steadyState.startSec * 1000)} – ${humanDuration(r.steadyState.endSec * 1000)} (${r.steadyState.rule}). Target: ${r.target.detail}. Percentiles are within ±${pct(r.percentilePrecision)} (histogram precision).`,
  );
  parts.push(
    `## Detections (steady state)\n\n${
      r.detections.length === 0
        ? 'None.'
        : table(
            ['finding', 'side', 'when', 'summary'],
            r.detections.map((d) => [d.kind, d.side, rangeText(d.ranges), d.summary]),
          )
    }`,
  );
  const outcomes = Object.entries(r.steady.outcomes).sort((a, b) => b[1] - a[1]);
  const totalOutcomes = outcomes.reduce((s, [, n]) => s + n, 0);
  if (outcomes.length > 0) {
    parts.push(
      `## Outcomes (steady state)\n\n${table(
        ['code', 'count', 'share'],
        outcomes.map(([k, n]) => [k, num(n, 0), pct(totalOutcomes > 0 ? n / totalOutcomes : null)]),
      )}`,
    );
  }
  parts.push(
    `## Runners\n\n${table(
      [
        'runner',
        'files',
        'first',
        'last',
        'samples',
        'sent',
        'committed',
        'rejected',
        'timed out',
        'iterations',
        'dropped',
      ],
      r.runners.map((x) => [
        x.instanceId !== null ? `instance_id=${x.instanceId}` : x.key,
        x.files.join(', '),
        humanDuration(x.firstSec * 1000),
        humanDuration(x.lastSec * 1000),
        num(x.points, 0),
        num(x.counts.sent, 0),
        num(x.counts.committed, 0),
        num(x.counts.rejected, 0),
        num(x.counts.timedOut, 0),
        num(x.counts.iterations, 0),
        num(x.counts.dropped, 0),
      ]),
    )}`,
  );
  parts.push(
    `## Inputs\n\n${table(
      ['file', 'format', 'lines', 'samples', 'malformed', 'first problem'],
      r.inputs.map((f) => [
        f.file,
        `${f.format}${f.gzip ? ' (gzip)' : ''}`,
        num(f.lines, 0),
        num(f.points, 0),
        num(f.malformed, 0),
        f.examples[0] ? `line ${f.examples[0].line}: ${f.examples[0].reason}` : (f.truncated ?? ''),
      ]),
    )}`,
  );
  const other = Object.entries(r.otherMetrics);
  if (other.length > 0) {
    parts.push(
      `Other metrics present (not used): ${other.map(([k, n]) => `${k} (${num(n, 0)})`).join(', ')}.`,
    );
  }
  if (r.notes.length > 0) parts.push(`## Notes\n\n${r.notes.map((n) => `- ${n}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
