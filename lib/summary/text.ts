/** The human summary printed to stdout at the end of a run. */
import { percent } from '../format/numbers.ts';
import { rejectionName } from '../protocol/error-codes.ts';
import { verdictLines } from '../verdict/format.ts';
import type { Verdict } from '../verdict/verdict.ts';
import type { LatencyStats, RunResult } from './result.ts';

/** Whether a verdict hook returned lib/verdict's Verdict (the hook is typed `unknown`). */
export function isVerdict(v: unknown): v is Verdict {
  const x = v as Partial<Verdict> | undefined;
  return (
    !!x &&
    typeof x.status === 'string' &&
    typeof x.summary === 'string' &&
    Array.isArray(x.evidence) &&
    Array.isArray(x.advice)
  );
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(1)}ms`;
}

const pct = (v: number | undefined): string => percent(v, 2);

function latencyLine(label: string, s: LatencyStats): string {
  return `  ${label.padEnd(22)} p50 ${ms(s.med).padStart(9)}  p95 ${ms(s['p(95)']).padStart(9)}  p99 ${ms(s['p(99)']).padStart(9)}  max ${ms(s.max).padStart(9)}`;
}

/** `files`: the result files handleSummary writes; `noFiles`: why there are none. */
export function renderText(r: RunResult, files: readonly string[] = [], noFiles?: string): string {
  const o = r.outcomes;
  const lines: string[] = [];
  const runner = r.run.runner === undefined ? '' : `, runner ${r.run.runner} of ${r.run.parallelism}`;
  lines.push('');
  lines.push(
    `mojaloop-k6 ${r.run.scenario} · profile ${r.run.profile} · mode ${r.run.mode} · ${r.run.api} v${r.run.fspiopVersion}${runner}`,
  );
  lines.push(
    `  target ${r.target.tps} TPS (${r.target.tpsPerRunner.toFixed(2)} per runner) for ${r.target.durationS}s · ` +
      `sent ${r.achieved.sentTps.toFixed(2)}/s · committed ${r.achieved.committedTps.toFixed(2)}/s (${pct(r.achieved.attainment)} of target)`,
  );
  lines.push('');
  lines.push(`  accounting: ${o.equation}  → ${o.balanced ? 'BALANCED' : 'NOT BALANCED'}`);
  lines.push(
    `    rejected: ${o.rejectedSync} sync, ${o.rejectedAsync} async` +
      (Object.keys(o.rejectedByCode).length
        ? ` (by code: ${Object.entries(o.rejectedByCode)
            .sort((a, b) => b[1] - a[1])
            .map(([c, n]) => `${rejectionName(c)} ×${n}`)
            .join(', ')})`
        : ''),
  );
  for (const { reason, count } of o.rejectionReasons) lines.push(`      ×${count} ${reason}`);
  if (o.transportFailed > 0)
    lines.push(`    transport failed: ${o.transportFailed} (no HTTP answer and no outcome)`);
  lines.push(
    `    timed out: ${o.timedOut} (late ${o.late}, never arrived ${o.timedOut - o.timedOutRecorded})`,
  );
  if (o.duplicates || o.evicted || o.foreign) {
    lines.push(
      `    duplicates ${o.duplicates} · relay evicted ${o.evicted} · outcomes of other runs ignored ${o.foreign}`,
    );
  }
  lines.push(`    success ${pct(r.achieved.successRatio)} · over 1 s ${pct(r.latency.over1sRatio)}`);
  lines.push('');
  lines.push('  latency');
  lines.push(latencyLine('end to end', r.latency.e2e));
  if (r.latency.unknown > 0) {
    lines.push(
      `    latency unknown for ${r.latency.unknown} transfers: no send time (the hub dropped tracestate and the ids carry no time; ID_KIND=uuid or ulid carry it)`,
    );
  }
  for (const [phase, s] of Object.entries(r.latency.phases)) lines.push(latencyLine(`phase ${phase}`, s));
  if (Object.keys(r.latency.sync).length > 0) lines.push(latencyLine('sync answer', r.latency.sync));
  lines.push(latencyLine('all http requests', r.latency.http));
  if (r.generator.droppedIterations > 0) {
    lines.push('');
    lines.push(
      `  generator: ${r.generator.droppedIterations} dropped iterations (the load generator could not keep the rate)`,
    );
  }
  const failed = r.thresholds.filter((t) => !t.ok);
  lines.push('');
  lines.push(
    r.thresholdsOk === undefined
      ? '  thresholds: not reported in this summary shape'
      : failed.length === 0
        ? `  thresholds: all ${r.thresholds.length} passed`
        : `  thresholds: ${failed.length} FAILED: ${failed.map((t) => `${t.metric} ${t.expression}`).join('; ')}`,
  );
  if (isVerdict(r.verdict)) {
    lines.push('');
    for (const l of verdictLines(r.verdict)) lines.push(`  ${l}`);
  } else {
    const verdict = r.verdict as { status?: unknown; summary?: unknown } | undefined;
    if (verdict && typeof verdict.status === 'string') {
      const why = typeof verdict.summary === 'string' ? ` — ${verdict.summary}` : '';
      lines.push(`  verdict: ${verdict.status}${why}`);
    }
  }
  if (files.length) {
    lines.push('');
    lines.push(`  results: ${files.join(', ')}`);
  } else if (noFiles !== undefined) {
    lines.push('');
    lines.push(`  results: ${noFiles}`);
  }
  lines.push('');
  return lines.join('\n');
}
