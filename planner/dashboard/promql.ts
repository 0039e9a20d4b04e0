/**
 * The metric names a PromQL expression reads, found without a full parser: strings, label
 * matchers, ranges and grouping clauses are removed, then every identifier that is not a function
 * call, a keyword, a Grafana variable or part of a number is a metric name. Enough for the
 * dashboard's own queries, which a test checks against the metrics the kit emits.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  // label_values(metric, label): only the first argument is a metric.
  s = s.replace(/\blabel_values\s*\(([^,()]*),[^)]*\)/g, ' $1 ');
  const out = new Set<string>();
  const ident = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  for (let m = ident.exec(s); m !== null; m = ident.exec(s)) {
    const before = m.index > 0 ? s[m.index - 1]! : ' ';
    if (before === '$' || /[0-9.]/.test(before)) continue;
    const after = s.slice(m.index + m[0].length);
    if (/^\s*\(/.test(after)) continue;
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    out.add(m[0]);
  }
  return [...out];
}

/** Every PromQL string in a Grafana dashboard model: panel target `expr`s and query-variable queries. */
export function dashboardQueries(dashboard: unknown): string[] {
  const out: string[] = [];
  const visit = (node: unknown, key: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, undefined);
    } else if (typeof node === 'object' && node !== null) {
      const o = node as Record<string, unknown>;
      for (const [k, v] of Object.entries(o)) visit(v, k);
    } else if (typeof node === 'string' && (key === 'expr' || key === 'definition')) {
      out.push(node);
    }
  };
  visit(dashboard, undefined);
  return out;
}
