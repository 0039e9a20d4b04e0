/**
 * ISO 4217 minor units as the Mojaloop SDK's ILP code uses them to scale amounts into ILP units.
 * Every currency not listed has 2 decimals. XXX and XTS (the test codes load runs use) have 4, as in
 * the SDK's currency table.
 */
const DECIMALS_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
  XXX: 4,
  XTS: 4,
};

export const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Minor-unit exponent of a currency; throws for something that is not a 3-letter upper-case code. */
export function currencyDecimals(currency: string): number {
  if (!CURRENCY_CODE.test(currency)) {
    throw new Error(
      `currency: expected a 3-letter ISO 4217 code such as "XXX" or "USD", got ${JSON.stringify(currency)}`,
    );
  }
  return DECIMALS_EXCEPTIONS[currency] ?? 2;
}
