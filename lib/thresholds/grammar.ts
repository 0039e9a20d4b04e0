/**
 * k6's threshold grammar, checked before k6 sees it: `<aggregation> <operator> <number>`, with the
 * aggregations each metric type allows (docs/facts/k6.md#thresholds). k6 refuses anything else at load time
 * with exit code 104; checking here turns that into a test failure with the reason.
 */
import type { MetricType as K6MetricType } from '../metrics/registry.ts';

export type { K6MetricType };

export const AGGREGATIONS: Readonly<Record<K6MetricType, readonly string[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

export const OPERATORS = ['>', '>=', '<=', '<', '==', '===', '!='] as const;

export interface ParsedThreshold {
  aggregation: string;
  /** for p(N): N */
  percentile?: number;
  operator: (typeof OPERATORS)[number];
  value: number;
}

const EXPR =
  /^\s*(count|rate|value|avg|min|max|med|p\(\s*([0-9]+(?:\.[0-9]+)?)\s*\))\s*(===|==|!=|>=|<=|>|<)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*$/;

/** Parses one expression; throws with the expression and what was expected. */
export function parseThreshold(expr: string): ParsedThreshold {
  const m = EXPR.exec(expr);
  if (!m) {
    throw new Error(
      `threshold ${JSON.stringify(expr)}: expected "<aggregation> <operator> <number>" such as "p(99)<1000" or "rate<=0.01"`,
    );
  }
  const percentile = m[2] === undefined ? undefined : Number(m[2]);
  if (percentile !== undefined && !(percentile >= 0 && percentile <= 100)) {
    throw new Error(`threshold ${JSON.stringify(expr)}: percentile must be within 0..100`);
  }
  return {
    aggregation: percentile === undefined ? m[1]! : 'p(N)',
    ...(percentile === undefined ? {} : { percentile }),
    operator: m[3] as ParsedThreshold['operator'],
    value: Number(m[4]),
  };
}

/** Throws unless `expr` is valid for a metric of `type`. */
export function checkThreshold(metric: string, type: K6MetricType, expr: string): ParsedThreshold {
  const p = parseThreshold(expr);
  if (!AGGREGATIONS[type].includes(p.aggregation)) {
    throw new Error(
      `threshold ${JSON.stringify(expr)} on ${metric}: a ${type} allows ${AGGREGATIONS[type].join(', ')}, not ${p.aggregation}`,
    );
  }
  return p;
}
