/** Shared fast-check generators for the protocol tests. */
import fc from 'fast-check';

/** Currencies of every minor-unit class the SDK table has (all in the FSPIOP enum). */
export const CURRENCIES: ReadonlyArray<{ code: string; decimals: number }> = [
  { code: 'JPY', decimals: 0 },
  { code: 'XOF', decimals: 0 },
  { code: 'USD', decimals: 2 },
  { code: 'EUR', decimals: 2 },
  { code: 'BHD', decimals: 3 },
  { code: 'KWD', decimals: 3 },
  { code: 'XXX', decimals: 4 },
  { code: 'XTS', decimals: 4 },
];

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

/** FSPIOP Amount strings with at most `maxDecimals` decimals, biased to the 18-digit edge. */
export function fspiopAmount(maxDecimals: number): fc.Arbitrary<string> {
  const whole = fc.oneof(
    fc.constant('0'),
    fc.stringMatching(/^[1-9][0-9]{0,5}$/),
    fc.stringMatching(/^[1-9][0-9]{12,17}$/),
    fc.constant('999999999999999999'),
    fc.constant('100000000000000000'),
  );
  if (maxDecimals === 0) return whole;
  const frac = fc.oneof(
    fc.constant(''),
    digits(0, maxDecimals - 1).chain((d) => fc.integer({ min: 1, max: 9 }).map((last) => `.${d}${last}`)),
  );
  return fc.tuple(whole, frac).map(([w, f]) => w + f);
}

/** A currency and an amount it can carry. */
export const moneyArb = fc
  .constantFrom(...CURRENCIES)
  .chain((c) =>
    fspiopAmount(c.decimals).map((amount) => ({ amount, currency: c.code, decimals: c.decimals })),
  );

/** Instants with ms precision from 1970 to the end of 9999 (the 17-character ILP time's range). */
export const instantArb = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }),
  fc.integer({ min: 1, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
  fc.constant(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
);

/** FSP ids: 1..32 characters. */
export const fspIdArb = fc.stringMatching(/^[a-z][a-z0-9]{0,31}$/);

/** MSISDNs as the config pool allows them. */
export const msisdnArb = fc.stringMatching(/^[1-9][0-9]{4,14}$/);

/** Amount in ILP units (amount x 10^decimals), exactly. */
export function ilpUnits(amount: string, decimals: number): bigint {
  const [whole, frac = ''] = amount.split('.');
  return BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** Money whose ILP amount fits the packet's uint64 (larger amounts are refused by design). */
export const ilpMoneyArb = moneyArb.filter((m) => ilpUnits(m.amount, m.decimals) <= 2n ** 64n - 1n);
