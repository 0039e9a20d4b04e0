/**
 * Exact rational numbers over BigInt, for k6's execution-segment arithmetic.
 *
 * k6 splits VUs and arrival rates with `big.Rat` arithmetic; doing the same with floats drifts by
 * one VU or one iteration at the edges (1/3 + 1/3 + 1/3 ≠ 1), which is exactly where a runner ends
 * up idle. Values are always reduced and the denominator is always positive, so equal rationals
 * have equal fields. Pure and k6-safe (BigInt works in Sobek; no Node APIs).
 */

export interface Rat {
  /** Numerator (carries the sign). */
  readonly n: bigint;
  /** Denominator, always > 0. */
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** The reduced rational n/d. Throws on a zero denominator. */
export function rat(n: bigint | number, d: bigint | number = 1n): Rat {
  let num = typeof n === 'bigint' ? n : toBigInt(n, 'numerator');
  let den = typeof d === 'bigint' ? d : toBigInt(d, 'denominator');
  if (den === 0n) throw new Error('rational: denominator must not be 0');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { n: num / g, d: den / g } : { n: num, d: den };
}

function toBigInt(x: number, what: string): bigint {
  if (!Number.isSafeInteger(x)) throw new Error(`rational: ${what} must be a safe integer, got ${x}`);
  return BigInt(x);
}

export const ZERO: Rat = { n: 0n, d: 1n };
export const ONE: Rat = { n: 1n, d: 1n };

export function add(a: Rat, b: Rat): Rat {
  return rat(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function sub(a: Rat, b: Rat): Rat {
  return rat(a.n * b.d - b.n * a.d, a.d * b.d);
}

export function mul(a: Rat, b: Rat): Rat {
  return rat(a.n * b.n, a.d * b.d);
}

export function div(a: Rat, b: Rat): Rat {
  if (b.n === 0n) throw new Error('rational: division by zero');
  return rat(a.n * b.d, a.d * b.n);
}

/** -1, 0 or 1 as a <, =, > b. */
export function cmp(a: Rat, b: Rat): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function eq(a: Rat, b: Rat): boolean {
  return a.n === b.n && a.d === b.d;
}

/** Largest integer ≤ r. */
export function floor(r: Rat): bigint {
  const q = r.n / r.d;
  return r.n < 0n && q * r.d !== r.n ? q - 1n : q;
}

/** Smallest integer ≥ r. */
export function ceil(r: Rat): bigint {
  const q = r.n / r.d;
  return r.n > 0n && q * r.d !== r.n ? q + 1n : q;
}

/** Nearest double (for display and for handing rates to code that wants numbers). */
export function toNumber(r: Rat): number {
  return Number(r.n) / Number(r.d);
}

/** `n` when integral, else `n/d` — the form k6 prints segments in (Go's `RatString`). */
export function ratString(r: Rat): string {
  return r.d === 1n ? r.n.toString() : `${r.n}/${r.d}`;
}

/** A decimal rendering with at most `digits` decimals, trailing zeros dropped (for messages). */
export function decimalString(r: Rat, digits = 3): string {
  const scale = 10n ** BigInt(digits);
  const neg = r.n < 0n;
  const abs = neg ? -r.n : r.n;
  // Round half up on the absolute value.
  const scaled = (abs * scale * 2n + r.d) / (2n * r.d);
  const whole = scaled / scale;
  let frac = (scaled % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  if (digits === 0) frac = '';
  const body = frac === '' ? whole.toString() : `${whole}.${frac}`;
  return neg && scaled !== 0n ? `-${body}` : body;
}

const INTEGER = /^[+-]?\d+$/;
const FRACTION = /^([+-]?\d+)\/(\d+)$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const PERCENT = /^([+-]?\d+)%$/;
/** Exponents beyond this are refused: 10n ** huge would stall (and no k6 value needs them). */
const MAX_EXPONENT = 400;

/**
 * Parses a rational the way k6 accepts one in segment strings: a fraction (`1/4`), a decimal
 * (`0.25`, `2.5e-1`), an integer, or a *whole* percentage (`25%` — k6 refuses `12.5%`).
 * `field` names the input in the error message.
 */
export function parseRat(text: string, field: string): Rat {
  const s = text.trim();
  const fail = (why: string): never => {
    throw new Error(
      `${field}: expected a fraction (1/4), a decimal (0.25) or a whole percentage (25%), got ${JSON.stringify(text)}${why}`,
    );
  };
  if (s === '') return fail('');
  const pct = PERCENT.exec(s);
  if (pct) return rat(BigInt(pct[1]!), 100n);
  if (s.endsWith('%')) return fail(' (k6 accepts only whole percentages)');
  if (INTEGER.test(s)) return rat(BigInt(s), 1n);
  const frac = FRACTION.exec(s);
  if (frac) {
    if (/^0+$/.test(frac[2]!)) return fail(' (zero denominator)');
    return rat(BigInt(frac[1]!), BigInt(frac[2]!));
  }
  const dec = DECIMAL.exec(s);
  if (dec && (dec[2] !== '' || (dec[3] !== undefined && dec[3] !== ''))) {
    const intPart = dec[2] ?? '';
    const fracPart = dec[3] ?? '';
    const exp = dec[4] === undefined ? 0 : Number(dec[4]);
    if (!Number.isFinite(exp) || Math.abs(exp) > MAX_EXPONENT) return fail(' (exponent out of range)');
    let num = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
    let den = 10n ** BigInt(fracPart.length);
    if (exp > 0) num *= 10n ** BigInt(exp);
    if (exp < 0) den *= 10n ** BigInt(-exp);
    return rat(dec[1] === '-' ? -num : num, den);
  }
  return fail('');
}

/**
 * The exact rational value of a finite JavaScript number (through its shortest decimal form, so
 * 0.1 is 1/10, as a user who typed 0.1 meant). For inputs such as a headroom of 1.5.
 */
export function ratFromNumber(x: number, field: string): Rat {
  if (!Number.isFinite(x)) throw new Error(`${field}: expected a finite number, got ${x}`);
  return parseRat(String(x), field);
}
