/**
 * Small validators shared by the env and file parsers. Each returns the parsed value, or records a
 * problem naming the field and the expected form and returns undefined.
 */

import { DURATION_FORMS, parseDurationMs } from './duration.ts';
import type { Problems } from './errors.ts';
import { shown } from './errors.ts';

/** Absolute http(s) URL without a trailing slash (k6 has no URL class: a pattern is enough here). */
const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/;

export function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  field: string,
  problems: Problems,
): T | undefined {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.add(field, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${shown(value)}`);
  return undefined;
}

export function positiveNumber(
  value: string,
  field: string,
  problems: Problems,
  example: string,
): number | undefined {
  const n = /^\s*\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isFinite(n) && n > 0) return n;
  problems.add(field, `expected a positive number such as ${example}, got ${shown(value)}`);
  return undefined;
}

/** A number within [min, max] (decimals allowed). */
export function numberIn(
  value: string,
  min: number,
  max: number,
  field: string,
  problems: Problems,
  example: string,
): number | undefined {
  const n = /^\s*\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isFinite(n) && n >= min && n <= max) return n;
  problems.add(field, `expected a number from ${min} to ${max} such as ${example}, got ${shown(value)}`);
  return undefined;
}

export function integerIn(
  value: string,
  min: number,
  max: number,
  field: string,
  problems: Problems,
): number | undefined {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  problems.add(field, `expected an integer from ${min} to ${max}, got ${shown(value)}`);
  return undefined;
}

/** A positive duration in k6's form (`30s`, `10m`, `1h30m`). */
export function durationMs(value: string, field: string, problems: Problems): number | undefined {
  const ms = parseDurationMs(value);
  if (ms !== undefined && ms > 0) return ms;
  problems.add(field, `expected ${DURATION_FORMS}, greater than zero, got ${shown(value)}`);
  return undefined;
}

export function httpUrl(value: string, field: string, problems: Problems): string | undefined {
  const trimmed = value.trim().replace(/\/+$/, '');
  if (HTTP_URL.test(trimmed)) return trimmed;
  problems.add(
    field,
    `expected an absolute http(s) URL such as "http://127.0.0.1:4300", got ${shown(value)}`,
  );
  return undefined;
}
