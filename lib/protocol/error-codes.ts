/**
 * The FSPIOP error codes and their default messages (API Definition v1.1, section 7.6): what the
 * simulator sends, and how summaries and verdicts name a code. Pure data, k6-safe.
 */

/** Default messages per code. */
export const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  '1000': 'Communication error',
  '1001': 'Destination communication error',
  '2000': 'Generic server error',
  '2001': 'Internal server error',
  '2002': 'Not implemented',
  '2003': 'Service currently unavailable',
  '2004': 'Server timed out',
  '2005': 'Server busy',
  '3000': 'Generic client error',
  '3001': 'Unacceptable version requested',
  '3002': 'Unknown URI',
  '3003': 'Add Party information error',
  '3100': 'Generic validation error',
  '3101': 'Malformed syntax',
  '3102': 'Missing mandatory element',
  '3103': 'Too many elements',
  '3104': 'Too large payload',
  '3105': 'Invalid signature',
  '3106': 'Modified request',
  '3107': 'Missing mandatory extension parameter',
  '3200': 'Generic ID not found',
  '3201': 'Destination FSP Error',
  '3202': 'Payer FSP ID not found',
  '3203': 'Payee FSP ID not found',
  '3204': 'Party not found',
  '3205': 'Quote ID not found',
  '3206': 'Transaction request ID not found',
  '3207': 'Transaction ID not found',
  '3208': 'Transfer ID not found',
  '3209': 'Bulk quote ID not found',
  '3210': 'Bulk transfer ID not found',
  '3300': 'Generic expired error',
  '3301': 'Transaction request expired',
  '3302': 'Quote expired',
  '3303': 'Transfer expired',
  '4000': 'Generic Payer error',
  '4001': 'Payer FSP insufficient liquidity',
  '4100': 'Generic Payer rejection',
  '4101': 'Payer rejected transaction request',
  '4102': 'Payer FSP unsupported transaction type',
  '4103': 'Payer unsupported currency',
  '4200': 'Payer limit error',
  '4300': 'Payer permission error',
  '4400': 'Generic Payer blocked error',
  '5000': 'Generic Payee error',
  '5001': 'Payee FSP insufficient liquidity',
  '5100': 'Generic Payee rejection',
  '5101': 'Payee rejected quote',
  '5102': 'Payee FSP unsupported transaction type',
  '5103': 'Payee FSP rejected quote',
  '5104': 'Payee rejected transaction',
  '5105': 'Payee FSP rejected transaction',
  '5106': 'Payee unsupported currency',
  '5200': 'Payee limit error',
  '5300': 'Payee permission error',
  '5400': 'Generic Payee blocked error',
};

/** A code with its default message: `3100 Generic validation error`, or the code alone when unknown. */
export function errorCodeName(code: string): string {
  const m = ERROR_MESSAGES[code];
  return m === undefined ? code : `${code} ${m}`;
}

/** How a rejection code (the `error_code` tag) reads: `3100 Generic validation error`, `HTTP 400 (no FSPIOP error)`, ... */
export function rejectionName(code: string): string {
  if (/^http\d{3}$/.test(code)) return `HTTP ${code.slice(4)} (no FSPIOP error)`;
  if (code === 'none') return 'without an error code';
  return errorCodeName(code);
}
