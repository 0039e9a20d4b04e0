import { currencyDecimals } from './currency.ts';

/** The FSPIOP Amount pattern: no leading or trailing zeros, at most 18 integer digits and 4 decimals. */
export const FSPIOP_AMOUNT = /^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$/;

/**
 * Shifts an FSPIOP amount string by the currency's minor units into an unsigned integer string,
 * exactly (no floating point): "10.5" USD -> "1050"; "2" XXX -> "20000".
 * Throws when the amount has more decimals than the currency allows (the SDK refuses those too).
 */
export function amountToIlpUnits(amount: string, currency: string): string {
  if (!FSPIOP_AMOUNT.test(amount)) {
    throw new Error(
      `amount: expected an FSPIOP amount string such as "10" or "10.5", got ${JSON.stringify(amount)}`,
    );
  }
  const decimals = currencyDecimals(currency);
  const dot = amount.indexOf('.');
  const whole = dot < 0 ? amount : amount.slice(0, dot);
  const frac = dot < 0 ? '' : amount.slice(dot + 1);
  if (frac.length > decimals) {
    throw new Error(
      `amount: ${currency} has ${decimals} decimals, ${JSON.stringify(amount)} has ${frac.length}`,
    );
  }
  const digits = (whole + frac.padEnd(decimals, '0')).replace(/^0+(?=\d)/, '');
  return digits;
}
