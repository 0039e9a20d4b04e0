/**
 * The in-run verdict on the verdict corpus (test/support/traces/catalog.ts `verdictCases`): each
 * case is one runner's run replayed through the kit's runner (its detector probes and the flows'
 * metrics, test/support/traces/in-run.ts), and the verdict of the summary that runner would hand
 * to handleSummary must be the case's:
 *
 * - `rejected` (most transfers refused, fast answers) → REJECTED (rejections), naming the code, the
 *   description and the share, never HUB-SATURATED or GENERATOR-BOUND; the generator detector
 *   stays quiet;
 * - `hub-holds-vus` (answers of 1.5-2.5 s, pool sized for 50-100 ms) → HUB-SATURATED (latency),
 *   naming the observed hold against the planned latency, although the generator detector rightly
 *   reports an empty pool (vus);
 * - `cpu-bound` (client time 1.5-3x the fast answers, late bursts, drops with idle VUs) →
 *   GENERATOR-BOUND (cpu), naming the client's share of the iteration, although iterations take
 *   well over twice the planned latency.
 *
 * Every case must be right (a verdict is a claim about one run, not a detection rate).
 * VERDICT_CORPUS_N cases per class (default 10, about 0.1 s each).
 */
import { describe, expect, it } from 'vitest';
import { VERDICT_CLASSES, verdictCases } from '../../support/traces/catalog.ts';
import { evaluateVerdictCase, verdictProblems } from '../../support/traces/evaluate.ts';

const N = Number(process.env['VERDICT_CORPUS_N'] ?? 10);

describe(`in-run verdict on the verdict corpus (${N} cases per class)`, () => {
  it.each(VERDICT_CLASSES.map((c) => [c]))('%s', (cls) => {
    const cases = verdictCases(cls, N, 1);
    const wrong: string[] = [];
    for (const [k, c] of cases.entries()) {
      const o = evaluateVerdictCase(c);
      const problems = verdictProblems(o);
      if (problems.length > 0)
        wrong.push(`case ${k}: ${problems.join('; ')}\n    ${o.verdict.evidence.join('\n    ')}`);
    }
    expect(wrong, `${cls} (expect ${cases[0]!.expect.status}/${cases[0]!.expect.cause})`).toEqual([]);
  });

  it('the corpus is what it claims', () => {
    for (const cls of VERDICT_CLASSES) {
      for (const c of verdictCases(cls, 3, 1)) {
        const { truth } = evaluateVerdictCase(c);
        const dropShare = truth.dropped / truth.due;
        if (cls === 'rejected') {
          expect(truth.rejected / truth.sent).toBeGreaterThan(0.5);
          expect(truth.dropped).toBe(0);
        }
        if (cls === 'hub-holds-vus') {
          expect(truth.iterationMedMs).toBeGreaterThan(10 * c.expectedLatencyMs);
          expect(dropShare).toBeGreaterThan(0.5);
        }
        if (cls === 'cpu-bound') {
          // iterations well over twice the planned latency, drops, fast hub answers
          expect(truth.iterationMedMs).toBeGreaterThan(2 * c.expectedLatencyMs);
          expect(dropShare).toBeGreaterThan(0.01);
          expect(c.spec.networkMs).toBeLessThanOrEqual(30);
        }
      }
    }
  });
});
