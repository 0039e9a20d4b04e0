import { describe, expect, it } from 'vitest';
import { GENERATOR_CLASSES } from '../../support/traces/catalog.ts';
import { type ClassScore, scoreGenerator } from '../../support/traces/evaluate.ts';
import { printScores } from './accuracy-support.ts';

/**
 * Generator-starvation detector over seeded 3-minute runner traces (constant and ramping
 * arrival-rate; healthy, slow hub, VU cap at 50-90 % of the need, CPU stalls of >= 50 ms at
 * 0.5-2/s, exponential with means of 60-200 ms), in the global view (every iteration) and one VU's view. Positives must be detected with
 * the right cause (vus / cpu); negatives must never fire.
 */
const N = 60;

describe('generator detector', () => {
  const scores: ClassScore[] = [];
  for (const view of ['global', 'per-vu'] as const) {
    for (const cls of GENERATOR_CLASSES) {
      const positive = cls === 'vu-cap' || cls === 'cpu-starved';
      it(`${cls}, ${view}: ${positive ? 'TP >= 0.95 with the right cause' : 'FP <= 0.02'}`, () => {
        const { score, outcomes } = scoreGenerator(cls, view, N, 1);
        scores.push(score);
        if (positive) expect(score.tp).toBeGreaterThanOrEqual(0.95);
        else expect(score.fp).toBeLessThanOrEqual(0.02);
        // the corpus is what it claims: VU-capped traces drop, healthy ones do not
        if (cls === 'vu-cap') expect(outcomes.every((o) => o.dropped > 0)).toBe(true);
        if (cls === 'gen-healthy') expect(outcomes.every((o) => o.dropped === 0)).toBe(true);
      });
    }
  }
  it('prints the confusion table', () => {
    printScores('generator detector (positive = starved with the right cause)', scores);
    expect(scores.length).toBe(8);
  });
});
