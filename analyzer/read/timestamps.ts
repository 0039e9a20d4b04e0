/**
 * Timestamp and duration parsing for k6 outputs.
 *
 * `--out json` writes Go's RFC3339Nano (`2026-11-28T18:36:36.521650219Z`, or with a `+01:00` offset
 * when the runner's zone is not UTC). `Date.parse` is slow and drops sub-millisecond digits, so the
 * date-and-second prefix is converted once and cached: consecutive samples share it.
 *
 * `--out csv` writes `K6_CSV_TIME_FORMAT`: unix seconds (default), `unix_milli`, `unix_micro`,
 * `unix_nano` (beyond double precision, so split as a string), `rfc3339` or `rfc3339_nano`. The unit
 * of a bare integer is inferred from its digit count (seconds have 10 digits until the year 2286).
 */

let cachedPrefix = '';
let cachedPrefixMs = 0;

/** Epoch milliseconds (with fraction) of an RFC3339 timestamp, or NaN when it is not one. */
export function parseRfc3339(s: string): number {
  if (s.length < 20 || s.charCodeAt(10) !== 84 /* T */) return Number.NaN;
  const prefix = s.slice(0, 19);
  let baseMs: number;
  if (prefix === cachedPrefix) {
    baseMs = cachedPrefixMs;
  } else {
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    const hour = digits(s, 11, 2);
    const min = digits(s, 14, 2);
    const sec = digits(s, 17, 2);
    if (
      Number.isNaN(year + month + day + hour + min + sec) ||
      s.charCodeAt(4) !== 45 ||
      s.charCodeAt(7) !== 45 ||
      s.charCodeAt(13) !== 58 ||
      s.charCodeAt(16) !== 58
    ) {
      return Number.NaN;
    }
    baseMs = Date.UTC(year, month - 1, day, hour, min, sec);
    cachedPrefix = prefix;
    cachedPrefixMs = baseMs;
  }
  let i = 19;
  let frac = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    let scale = 100; // first fraction digit is 100 ms
    while (i < s.length) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      frac += d * scale;
      scale /= 10;
      i++;
    }
  }
  const zone = s.charCodeAt(i);
  if (zone === 90 /* Z */ || zone === 122 /* z */) {
    return i + 1 === s.length ? baseMs + frac : Number.NaN;
  }
  if ((zone === 43 /* + */ || zone === 45) /* - */ && s.length === i + 6 && s.charCodeAt(i + 3) === 58) {
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (Number.isNaN(oh + om)) return Number.NaN;
    const offsetMs = (oh * 60 + om) * 60_000;
    return baseMs + frac + (zone === 43 ? -offsetMs : offsetMs);
  }
  return Number.NaN;
}

function digits(s: string, start: number, n: number): number {
  let v = 0;
  for (let i = start; i < start + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Epoch milliseconds of a CSV `timestamp` cell in any `K6_CSV_TIME_FORMAT`, or NaN. */
export function parseCsvTimestamp(s: string): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const c0 = s.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return Number.NaN;
  if (n >= 20 && s.charCodeAt(10) === 84) return parseRfc3339(s);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
  }
  if (n <= 11) return Number(s) * 1000; // unix seconds
  if (n <= 14) return Number(s); // unix_milli
  if (n <= 17) return Number(s) / 1000; // unix_micro
  // unix_nano: 19 digits exceed 2^53; split into milliseconds and the sub-millisecond rest.
  return Number(s.slice(0, n - 6)) + Number(s.slice(n - 6)) / 1e6;
}
