/**
 * report.json: the whole {@link AnalysisReport}. Objects are indented for reading; arrays of
 * numbers (the series) stay on one line each so a one-hour run does not become 100k lines.
 */
import type { AnalysisReport } from '../model/types.ts';

export function renderJson(r: AnalysisReport): string {
  return `${stringify(r, '')}\n`;
}

function isFlat(a: unknown[]): boolean {
  return a.every((x) => x === null || typeof x !== 'object');
}

function stringify(v: unknown, indent: string): string {
  if (v === null || typeof v !== 'object') {
    return typeof v === 'number' && !Number.isFinite(v) ? 'null' : (JSON.stringify(v) ?? 'null');
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (isFlat(v))
      return JSON.stringify(v.map((x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)));
    return `[\n${v.map((x) => inner + stringify(x, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${stringify(x, inner)}`).join(',\n')}\n${indent}}`;
}
