import { describe, expect, it } from 'vitest';
import { HUB_CLASSES } from '../../support/traces/catalog.ts';
import { type ClassScore, scoreHub } from '../../support/traces/evaluate.ts';
import { expectEstimates, printScores } from './accuracy-support.ts';

/**
 * Hub detectors on the global stream (what the analyzer sees: all transfers, 500 ms buckets), over
 * seeded labeled 10-minute traces: per positive class TP >= 0.95 at or above the documented
 * sensitivity (lib/detectors/sensitivity.ts), per negative class FP <= 0.02 (an alarm at any time).
 */
const POSITIVE_N = 40;
const NEGATIVE_N = 50;

describe('hub detectors, global view', () => {
  const scores: ClassScore[] = [];
  for (const cls of HUB_CLASSES) {
    const positive = cls === 'drift' || cls === 'sawtooth';
    it(`${cls}: ${positive ? 'TP >= 0.95' : 'FP <= 0.02'}`, () => {
      const { score, outcomes } = scoreHub(cls, 'global', positive ? POSITIVE_N : NEGATIVE_N, 1);
      scores.push(score);
      if (positive) expect(score.tp).toBeGreaterThanOrEqual(0.95);
      else expect(score.fp).toBeLessThanOrEqual(0.02);
      expectEstimates(cls, outcomes);
      if (cls === 'gc-pauses') {
        // pauses are seen in the global view (>= 20 samples per bucket)
        const seen = outcomes.filter((o) => o.pauses > 0).length / outcomes.length;
        expect(seen).toBeGreaterThanOrEqual(0.95);
      }
      if (cls.startsWith('stationary')) {
        expect(outcomes.filter((o) => o.pauses > 0).length / outcomes.length).toBeLessThanOrEqual(0.02);
      }
    });
  }
  it('prints the confusion table', () => {
    printScores('hub detectors, global view (alarm = drift or sawtooth at any time)', scores);
    expect(scores.length).toBe(HUB_CLASSES.length);
  });
});
