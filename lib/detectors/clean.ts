/**
 * Pre-cleaning of a bucket-median window before the shape analyses.
 *
 * - Empty buckets are filled with the nearest earlier value (the analyses need a dense series;
 *   they still ignore filled points where it matters, through the `valid` mask).
 * - Short bursts are trimmed: each point is kept within `clip` sigma below its 3-point running
 *   median and `clip` sigma above its 5-point running median. Running medians keep edges (a step,
 *   a sawtooth drop) and ramps, but not one- or two-bucket excursions, which is what heavy-tailed
 *   latency (a few Pareto samples in sparse per-VU buckets) and GC pauses produce. Latency noise is
 *   right-skewed, so upward bursts are trimmed against the wider median. Points within the band
 *   are left exactly as they were.
 */
export function cleanWindow(
  y: Float64Array,
  valid: Uint8Array,
  n: number,
  sigma: number,
  clip: number,
  out: Float64Array,
): void {
  // fill empties forward (leading empties take the first valid value)
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (valid[i]) {
      first = i;
      break;
    }
  }
  if (first < 0) {
    for (let i = 0; i < n; i++) out[i] = 0;
    return;
  }
  let last = y[first]!;
  for (let i = 0; i < n; i++) {
    if (valid[i]) last = y[i]!;
    out[i] = last;
  }
  if (!(sigma > 0) || n < 5) return;
  const lim = clip * sigma;
  // sliding window of the unmodified (filled) values: a..e around position i
  let a = out[0]!;
  let b = out[0]!;
  let c = out[0]!;
  let d = out[1]!;
  let e = out[2]!;
  for (let i = 0; i < n; i++) {
    const m3 = med3(b, c, d);
    const m5 = med5(a, b, c, d, e);
    const lo = m3 - lim;
    const hi = m5 + lim;
    out[i] = c < lo ? lo : Math.min(c, hi);
    a = b;
    b = c;
    c = d;
    d = e;
    // out[j] for j > i still holds the filled, unclipped value
    e = i + 3 < n ? out[i + 3]! : e;
  }
}

function med3(a: number, b: number, c: number): number {
  return a > b ? (b > c ? b : Math.min(a, c)) : a > c ? a : Math.min(b, c);
}

function med5(a: number, b: number, c: number, d: number, e: number): number {
  // The median of five is the median of c and the two middle values of the pairs (a,b) and (d,e):
  // the larger of the pair minima and the smaller of the pair maxima.
  return med3(c, Math.max(Math.min(a, b), Math.min(d, e)), Math.min(Math.max(a, b), Math.max(d, e)));
}
