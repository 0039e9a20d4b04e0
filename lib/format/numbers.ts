/**
 * Numbers for people, one way everywhere: the run summary, both verdicts, the planner's arithmetic
 * and the analyzer's reports. A value that is not known prints as `-`, never as 0.
 */

/** A share as a percentage: `percent(0.1234)` → `12.3%`; `digits` decimals (default 1). */
export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '-';
  return `${(share * 100).toFixed(digits)}%`;
}

/**
 * A number as short as it can honestly be: whole numbers as they are, others with `digits`
 * decimals (by default 3 below 10 and 1 above), trailing zeros dropped.
 */
export function decimal(x: number | null | undefined, digits?: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Number.isInteger(x)) return String(x);
  const text = x.toFixed(digits ?? (Math.abs(x) < 10 ? 3 : 1));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
