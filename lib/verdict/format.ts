import type { Verdict } from './verdict.ts';

/**
 * The verdict as text lines, a JSON object and a JUnit test case, for the scenarios'
 * handleSummary (and the analyzer's report). Pure string building.
 */
export function verdictLines(v: Verdict): string[] {
  const lines = [`VERDICT: ${v.status} — ${v.summary}`];
  if (v.scope === 'runner') lines.push('  (this runner only; the analyzer judges the whole run)');
  for (const e of v.evidence) lines.push(`  - ${e}`);
  if (v.advice.length > 0) {
    lines.push('  what to do:');
    for (const a of v.advice) lines.push(`  * ${a}`);
  }
  return lines;
}

/** A JSON-safe copy (drops undefined; numbers rounded to 4 significant decimals). */
export function verdictJson(v: Verdict): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(v, (_k, x) =>
      typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(6)) : x,
    ),
  ) as Record<string, unknown>;
}

export function xmlEscape(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

/**
 * One `<testcase>` (no XML declaration): passes for HEALTHY, fails otherwise with the status as the
 * failure type and the evidence and advice as its text. INCONCLUSIVE is reported as skipped.
 */
export function verdictJUnitTestcase(v: Verdict, classname = 'mojaloop-k6.verdict'): string {
  const open = `<testcase classname="${xmlEscape(classname)}" name="${xmlEscape(`verdict: ${v.status}`)}"`;
  if (v.status === 'HEALTHY') return `${open}/>`;
  if (v.status === 'INCONCLUSIVE') return `${open}><skipped message="${xmlEscape(v.summary)}"/></testcase>`;
  const body = verdictLines(v).slice(1).join('\n');
  return `${open}><failure type="${xmlEscape(v.status)}" message="${xmlEscape(v.summary)}">${xmlEscape(body)}</failure></testcase>`;
}
