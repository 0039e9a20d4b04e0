/**
 * Plateau below target: over the range, the achieved rate (mean: total completions over the range)
 * falls short of the target (mean) by more than the tolerance, and does so in most seconds. Means,
 * not medians: latency that keeps changing (a sawtooth) redistributes completions between seconds
 * without losing any. The level it sits at is the capacity actually delivered. Which side is to
 * blame is decided later (detect/index.ts) from the drop attribution.
 */
import { percent } from '../../lib/format/numbers.ts';
import type { Detection } from '../model/types.ts';
import type { DetectContext } from './context.ts';
import type { DetectInput, DetectOptions } from './input.ts';
import { mean, ranges } from './stats.ts';

export function detectPlateau(x: DetectInput, ctx: DetectContext, o: DetectOptions): Detection | undefined {
  const n = ctx.n;
  if (n === 0) return undefined;
  const target = mean(x.target);
  if (!Number.isFinite(target) || target <= 0) return undefined;
  const achieved = mean(x.achieved);
  const attainment = achieved / target;
  const short: boolean[] = new Array(n);
  let shortN = 0;
  for (let i = 0; i < n; i++) {
    const t = x.target[i]!;
    short[i] = Number.isFinite(t) && x.achieved[i]! < (1 - o.attainmentTolerance) * t;
    if (short[i]) shortN++;
  }
  if (attainment >= 1 - o.attainmentTolerance || shortN < 0.5 * n) return undefined;
  return {
    kind: 'plateau_below_target',
    side: 'hub',
    summary: `achieved ${achieved.toFixed(1)}/s against a target of ${target.toFixed(1)}/s (${percent(attainment)}) for ${percent(shortN / n)} of the steady state`,
    ranges: ranges(short, x.offsetSec, 5),
    evidence: {
      achievedTps: round(achieved),
      targetTps: round(target),
      attainment: round(attainment),
      shareOfSecondsShort: round(shortN / n),
    },
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
