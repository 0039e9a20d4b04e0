/**
 * k6-style durations (`500ms`, `30s`, `10m`, `1h`, `1h30m`), parsed to milliseconds and printed
 * back in the form k6 accepts. Kept strict: a bare number is refused, because `DURATION=60` could
 * mean seconds or minutes and a silently wrong test length wastes a soak.
 */
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a k6 duration string, or undefined when it is not one (or is zero). */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const ms =
    Number(m[1] ?? 0) * UNIT_MS.h! +
    Number(m[2] ?? 0) * UNIT_MS.m! +
    Number(m[3] ?? 0) * UNIT_MS.s! +
    Number(m[4] ?? 0);
  return ms > 0 ? ms : undefined;
}

/** A k6 duration string for `ms` (whole seconds when possible: `90s`, else `1500ms`). */
export function formatDuration(ms: number): string {
  const whole = Math.ceil(ms);
  if (whole % 1000 === 0) return `${whole / 1000}s`;
  return `${whole}ms`;
}

/** Human form for reports: `1h`, `10m`, `1h30m`, `45s`. */
export function humanDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const out = (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${s}s` : '');
  return out === '' ? `${Math.round(ms)}ms` : out;
}
