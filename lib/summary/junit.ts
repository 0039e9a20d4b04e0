/**
 * JUnit XML for CI: one test case per threshold, one for the accounting equation, so a CI system
 * shows which SLO failed. Pure string building (k6 has no XML library).
 */
import { verdictJUnitTestcase, xmlEscape } from '../verdict/format.ts';
import type { RunResult } from './result.ts';
import { isVerdict } from './text.ts';

interface Case {
  name: string;
  failure?: string;
}

export function renderJunit(r: RunResult): string {
  const suite = `mojaloop-k6.${r.run.scenario}`;
  const cases: Case[] = [];
  cases.push({
    name: 'accounting balances',
    failure: r.outcomes.balanced ? undefined : r.outcomes.equation,
  });
  for (const t of r.thresholds) {
    cases.push({
      name: `${t.metric} ${t.expression}`,
      failure: t.ok ? undefined : `threshold ${t.expression} on ${t.metric} failed`,
    });
  }
  const verdictCase = isVerdict(r.verdict) ? `    ${verdictJUnitTestcase(r.verdict, suite)}` : undefined;
  const verdictFails =
    isVerdict(r.verdict) && r.verdict.status !== 'HEALTHY' && r.verdict.status !== 'INCONCLUSIVE';
  const failures = cases.filter((c) => c.failure !== undefined).length + (verdictFails ? 1 : 0);
  const tests = cases.length + (verdictCase ? 1 : 0);
  const body = cases
    .map((c) => {
      const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(c.name)}"`;
      return c.failure === undefined
        ? `${open}/>`
        : `${open}>\n      <failure message="${xmlEscape(c.failure)}"/>\n    </testcase>`;
    })
    .concat(verdictCase ? [verdictCase] : [])
    .join('\n');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="mojaloop-k6" tests="${tests}" failures="${failures}">\n` +
    `  <testsuite name="${xmlEscape(suite)}" tests="${tests}" failures="${failures}" time="${r.target.durationS}">\n` +
    `${body}\n` +
    '  </testsuite>\n' +
    '</testsuites>\n'
  );
}
