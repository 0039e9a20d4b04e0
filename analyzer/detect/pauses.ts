/**
 * Pauses: seconds where completions collapse (achieved at most `stallShare` of the run's median),
 * or where the hub detector (lib/detectors/hub.ts, fed per second) saw a latency pause; without
 * per-second histograms (plain series input) a p95 jump to max(3 × baseline, baseline + 100 ms)
 * stands in for the latter. Adjacent seconds form one pause. A pause is the generator's when it
 * also stopped starting work (started collapsed too) while the latency stayed flat, or when the
 * generator itself stalled around it (its client-side time or its start lag burst: a CPU-starved
 * runner measures its own stall as latency, see DetectContext.clientStall); otherwise the hub's.
 */
import type { Detection } from '../model/types.ts';
import type { DetectContext } from './context.ts';
import type { DetectInput, DetectOptions } from './input.ts';
import { ranges } from './stats.ts';

export function detectPauses(
  x: DetectInput,
  ctx: DetectContext,
  o: DetectOptions,
  latencyName: string,
  latencyPauses: readonly boolean[],
): Detection[] {
  const n = ctx.n;
  if (n < 3 || !(ctx.medianAchieved > 0)) return [];
  const flags: boolean[] = new Array(n).fill(false);
  const spikeAt = Number.isFinite(ctx.baselineP95)
    ? Math.max(3 * ctx.baselineP95, ctx.baselineP95 + 100)
    : Number.NaN;
  for (let i = 0; i < n; i++) {
    const stalled = x.achieved[i]! <= o.stallShare * ctx.medianAchieved;
    const spike =
      x.latCountAbove !== undefined
        ? latencyPauses[i] === true
        : Number.isFinite(spikeAt) && x.latP95[i]! >= spikeAt;
    flags[i] = stalled || spike;
  }
  const out: Detection[] = [];
  for (const r of ranges(flags, 0, 1)) {
    const a = r.fromSec;
    const b = r.toSec;
    let minAchieved = Number.POSITIVE_INFINITY;
    let maxP95 = Number.NEGATIVE_INFINITY;
    let started = 0;
    let anyElevated = false;
    for (let i = a; i < b; i++) {
      minAchieved = Math.min(minAchieved, x.achieved[i]!);
      if (Number.isFinite(x.latP95[i]!)) maxP95 = Math.max(maxP95, x.latP95[i]!);
      started += x.started[i]!;
    }
    for (let i = Math.max(0, a - 1); i < Math.min(n, b + 5); i++) if (ctx.elevated[i]) anyElevated = true;
    let clientStalled = false;
    for (let i = Math.max(0, a - 1); i < Math.min(n, b + 1); i++)
      if (ctx.clientStall[i]) clientStalled = true;
    // a generator that stopped leaves VUs free; one whose every VU is held has nothing to start with
    let vusFree = false;
    for (let i = a; i < b; i++) if (!ctx.busy[i]) vusFree = true;
    const startedRate = started / (b - a);
    const generatorStopped = startedRate <= o.stallShare * ctx.medianAchieved && !anyElevated && vusFree;
    const dur = b - a;
    const what = `completions paused or ${latencyName} spiked for ${dur} s (lowest ${minAchieved.toFixed(0)}/s against a median of ${ctx.medianAchieved.toFixed(0)}/s, p95 up to ${Number.isFinite(maxP95) ? maxP95.toFixed(0) : '-'} ms)`;
    out.push({
      kind: 'pause',
      side: generatorStopped || clientStalled ? 'generator' : 'hub',
      summary: generatorStopped
        ? `the generator stopped starting work for ${dur} s (started ${startedRate.toFixed(1)}/s, latency flat)`
        : clientStalled
          ? `${what} while the generator itself stalled (its client-side time or start lag burst): a CPU-starved runner measures its own stall`
          : what,
      ranges: [{ fromSec: a + x.offsetSec, toSec: b + x.offsetSec }],
      evidence: {
        durationSec: dur,
        minAchievedTps: Math.round(minAchieved * 10) / 10,
        medianAchievedTps: Math.round(ctx.medianAchieved * 10) / 10,
        maxP95Ms: Number.isFinite(maxP95) ? Math.round(maxP95) : '-',
        baselineP95Ms: Number.isFinite(ctx.baselineP95) ? Math.round(ctx.baselineP95 * 10) / 10 : '-',
        startedTps: Math.round(startedRate * 10) / 10,
      },
    });
  }
  return out;
}
