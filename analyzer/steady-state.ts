/**
 * The steady-state window: the part of the run where the load was at its intended level and the
 * system had settled. The Mojaloop performance whitepaper trims 5 minutes of warm-up and 2 minutes
 * of drain from its one-hour runs; short runs need proportionally shorter trims.
 *
 * Rule (defaults, each overridable with `--warmup` / `--drain`):
 * - warm-up = min(5 min, 10% of the run), drain = min(2 min, 5% of the run); a 60-minute or longer
 *   run gets exactly the whitepaper trims, a 60-second smoke run 6 s and 3 s.
 * - When the warm-up is not given explicitly and the scheduled rate (iterations started plus
 *   dropped) is still ramping up when the rule's warm-up ends, the warm-up extends to the first
 *   second where the 5-second average of the scheduled rate reaches 95% of its plateau (the median
 *   of the middle half of the run), at most to 40% of the run. Only the start is extended: a
 *   slowdown at the end may be the hub's fault and must stay visible.
 * - If less than 1 s would remain, the full run is used and the report says so.
 */

import { median } from './detect/stats.ts';
import type { SteadyState } from './model/types.ts';

export const WHITEPAPER_WARMUP_SEC = 300;
export const WHITEPAPER_DRAIN_SEC = 120;

export interface SteadyStateOptions {
  /** Explicit warm-up / drain in seconds (from `--warmup` / `--drain`). */
  warmupSec?: number;
  drainSec?: number;
}

/**
 * @param nSec number of 1-s windows of the run
 * @param scheduled per-second scheduled rate (starts + drops), used to detect a ramp-up
 */
export function steadyState(
  nSec: number,
  scheduled: readonly number[],
  opts: SteadyStateOptions,
): SteadyState {
  const ruleWarmup = Math.min(WHITEPAPER_WARMUP_SEC, Math.round(nSec * 0.1));
  const ruleDrain = Math.min(WHITEPAPER_DRAIN_SEC, Math.round(nSec * 0.05));
  let warmup = opts.warmupSec !== undefined ? Math.round(opts.warmupSec) : ruleWarmup;
  const drain = opts.drainSec !== undefined ? Math.round(opts.drainSec) : ruleDrain;
  const parts: string[] = [];
  parts.push(
    opts.warmupSec !== undefined
      ? `warm-up ${warmup}s (--warmup)`
      : `warm-up min(300s, 10% of ${nSec}s) = ${ruleWarmup}s`,
  );
  if (opts.warmupSec === undefined && nSec >= 20) {
    const mid = scheduled.slice(Math.floor(nSec / 4), Math.ceil((3 * nSec) / 4));
    const plateau = median(mid);
    if (plateau > 0) {
      const limit = Math.floor(nSec * 0.4);
      let rampEnd = 0;
      for (let i = 0; i < limit; i++) {
        let sum = 0;
        let n = 0;
        for (let j = i; j < Math.min(nSec, i + 5); j++) {
          sum += scheduled[j] ?? 0;
          n++;
        }
        if (sum / n >= 0.95 * plateau) {
          rampEnd = i;
          break;
        }
        rampEnd = i + 1;
      }
      if (rampEnd > warmup) {
        parts.push(
          `extended to ${rampEnd}s where the scheduled rate reaches 95% of its plateau (${round(plateau)}/s)`,
        );
        warmup = rampEnd;
      }
    }
  }
  parts.push(
    opts.drainSec !== undefined
      ? `drain ${drain}s (--drain)`
      : `drain min(120s, 5% of ${nSec}s) = ${ruleDrain}s`,
  );
  let startSec = warmup;
  let endSec = nSec - drain;
  let fullRunFallback = false;
  if (endSec - startSec < 1) {
    fullRunFallback = true;
    parts.push('nothing would remain, so the full run is used');
    startSec = 0;
    endSec = nSec;
  }
  return { startSec, endSec, warmupSec: warmup, drainSec: drain, rule: parts.join('; '), fullRunFallback };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
