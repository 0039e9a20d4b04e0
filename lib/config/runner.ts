/**
 * The runner index of a k6 process from its execution segment. k6-operator gives runner i of N the
 * segment `(i-1)/N:i/N` and the sequence `0,1/N,...,1` (k6-semantics §2.1), so the index is the
 * position of the segment's start in the sequence. Without a sequence, equal segments are assumed:
 * index = from / (to - from). Unsegmented runs (null) are runner 0.
 *
 * Pure; lib/k6/runner.ts reads the strings from `exec.test.options` (only outside the init context).
 */
import { MAX_RUNNERS } from '../protocol/ids.ts';

/** A k6 segment bound: rational `a/b`, decimal `0.25`, or percentage `25%`. */
export function parseSegmentBound(text: string): number | undefined {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m) return Number(m[2]) === 0 ? undefined : Number(m[1]) / Number(m[2]);
  m = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (m) return Number(m[1]) / 100;
  m = /^(\d+(?:\.\d+)?)$/.exec(t);
  if (m) return Number(m[1]);
  return undefined;
}

const EPS = 1e-9;

/**
 * Runner index for a segment (`"1/4:1/2"`) and optional sequence (`"0,1/4,1/2,3/4,1"`). Throws
 * with a message pointing at the RUNNER override when the index cannot be derived.
 */
export function runnerFromSegment(segment: string | null | undefined, sequence?: string | null): number {
  if (segment === null || segment === undefined || segment.trim() === '' || segment.trim() === '0:1')
    return 0;
  const parts = segment.split(':');
  const from = parts.length === 1 ? 0 : parseSegmentBound(parts[0]!);
  const to = parseSegmentBound(parts[parts.length - 1]!);
  if (from === undefined || to === undefined || !(to > from) || to > 1 + EPS) {
    throw new Error(
      `executionSegment: cannot read ${JSON.stringify(segment)}; set RUNNER=<index> explicitly`,
    );
  }
  let index: number | undefined;
  if (sequence) {
    const bounds = sequence.split(',').map(parseSegmentBound);
    const at = bounds.findIndex((b) => b !== undefined && Math.abs(b - from) < EPS);
    if (at >= 0) index = at;
  }
  if (index === undefined) {
    const ratio = from / (to - from);
    if (Math.abs(ratio - Math.round(ratio)) < 1e-6) index = Math.round(ratio);
  }
  if (index === undefined || index < 0 || index >= MAX_RUNNERS) {
    throw new Error(
      `executionSegment ${JSON.stringify(segment)} is not one of N equal segments; set RUNNER=<index> (0..${MAX_RUNNERS - 1}) explicitly`,
    );
  }
  return index;
}
