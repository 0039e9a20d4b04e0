/**
 * Small robust statistics for the series detectors. NaN entries mean "no data for that second" and
 * are skipped everywhere. All functions are bounded: O(n log n) or O(n·m) with m capped by callers.
 */

export function finite(xs: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isFinite(x)) out.push(x);
  }
  return out;
}

export function mean(xs: ArrayLike<number>): number {
  const f = finite(xs);
  if (f.length === 0) return Number.NaN;
  let s = 0;
  for (const v of f) s += v;
  return s / f.length;
}

export function median(xs: ArrayLike<number>): number {
  const s = finite(xs).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(xs: ArrayLike<number>, q: number): number {
  const s = finite(xs).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[idx]!;
}

/**
 * Turns a per-second flag array into [from, to) ranges, joining ranges separated by at most `gap`
 * unflagged seconds. `offset` is added to every bound (the index-0 second of the run).
 */
export function ranges(
  flags: readonly boolean[],
  offset: number,
  gap = 1,
): { fromSec: number; toSec: number }[] {
  const out: { fromSec: number; toSec: number }[] = [];
  let start = -1;
  let lastOn = -1;
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    if (start < 0) start = i;
    else if (i - lastOn - 1 > gap) {
      out.push({ fromSec: start + offset, toSec: lastOn + 1 + offset });
      start = i;
    }
    lastOn = i;
  }
  if (start >= 0) out.push({ fromSec: start + offset, toSec: lastOn + 1 + offset });
  return out;
}

/** Second i's p99 exceeds the lowest p50 of seconds [i-3, i] by more than `threshold`. */
export function burstAbove(
  p99: ArrayLike<number>,
  p50: ArrayLike<number>,
  i: number,
  threshold: number,
): boolean {
  const top = p99[i]!;
  if (!Number.isFinite(top)) return false;
  let floor = Number.POSITIVE_INFINITY;
  for (let j = Math.max(0, i - 3); j <= i; j++) {
    const f = p50[j]!;
    if (Number.isFinite(f) && f < floor) floor = f;
  }
  return Number.isFinite(floor) && top - floor > threshold;
}
