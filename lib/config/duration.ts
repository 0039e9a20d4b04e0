/**
 * Durations, in one place: the one parser of duration text (env values, config, CLI flags, k6
 * option strings) and the two printers — k6's own syntax, and the compact form reports use.
 *
 * The parser takes k6's form: one or more `<number><unit>` with units `h`, `m`, `s`, `ms`
 * (`500ms`, `30s`, `1.5m`, `1h30m`), and a lone `0`. A bare non-zero number is refused: `DURATION=60`
 * could mean seconds or minutes, and a silently wrong test length wastes a soak.
 */
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a duration in k6's form (0 for `0`), or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (t === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let at = 0;
  for (let m = PART.exec(t); m !== null; m = PART.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = PART.lastIndex;
  }
  return at === t.length && Number.isFinite(total) ? total : undefined;
}

/** The message part for a text that is not a duration, naming the accepted forms. */
export const DURATION_FORMS = 'a k6 duration such as "30s", "10m", "1h" or "1h30m" (a number needs its unit)';

/** `ms` in k6's syntax, exact to the millisecond: `10m`, `1h`, `1m30s`, `1h30m30s500ms` (fractions round up). */
export function k6Duration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(`duration: expected a positive number of ms, got ${ms}`);
  let rest = Math.ceil(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const msPart = rest - s * 1000;
  return (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${s}s` : '') + (msPart ? `${msPart}ms` : '');
}

/** `ms` for reports: `12.5s` under a minute, else `4m05s` / `1h02m03s`; `-` when unknown. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const seconds = ms / 1000;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}h${pad(m)}m${pad(sec)}s` : `${m}m${pad(sec)}s`;
}
