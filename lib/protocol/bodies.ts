/**
 * FSPIOP JSON bodies (API v1.0/v1.1/v2.0 share these shapes; v2.0 only widens the id pattern).
 *
 * The builders return typed objects (types from `@mojaloop/api-snippets`, imported as types only);
 * callers serialise them once with `JSON.stringify`. Checks are limited to what the hub would
 * otherwise reject with a confusing code (amount, currency, date-time and error-code formats), are
 * regex tests, and throw an Error naming the field: a bad value is a configuration bug, not load.
 */
import type { v2_0 } from '@mojaloop/api-snippets';
import { CURRENCY_CODE } from './currency.ts';
import { FSPIOP_AMOUNT } from './money.ts';
import { CORRELATION_ID_V2_0, ERROR_CODE, ILP_CONDITION } from './patterns.ts';

export type TransfersPostRequest = v2_0.Types.TransfersPostRequest;
export type TransfersIDPutResponse = v2_0.Types.TransfersIDPutResponse;
export type TransfersIDPatchResponse = v2_0.Types.TransfersIDPatchResponse;
export type QuotesPostRequest = v2_0.Types.QuotesPostRequest;
export type QuotesIDPutResponse = v2_0.Types.QuotesIDPutResponse;
export type PartiesTypeIDPutResponse = v2_0.Types.PartiesTypeIDPutResponse;
export type ErrorInformationObject = v2_0.Types.ErrorInformationObject;
export type ExtensionList = v2_0.Types.ExtensionList;
export type Party = v2_0.Types.Party;
export type PartyIdType = v2_0.Types.PartyIdType;
export type TransactionType = v2_0.Types.TransactionType;
export type Money = v2_0.Types.Money;

/**
 * FSPIOP DateTime, milliseconds required (the schema's regex insists on `.SSS`), with `Z` or an
 * offset. Mirrors the schema's shape without its leap-year arithmetic; `Date` parsing covers that.
 */
const DATE_TIME = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-][01]\d:[0-5]\d)$/;

export function checkAmount(field: string, amount: unknown): string {
  if (typeof amount !== 'string' || !FSPIOP_AMOUNT.test(amount)) {
    throw new Error(
      `${field}: expected an FSPIOP amount string (no leading/trailing zeros, <= 18 digits, <= 4 decimals) such as "10.5", got ${JSON.stringify(amount)}`,
    );
  }
  return amount;
}

export function checkCurrency(field: string, currency: unknown): v2_0.Types.Currency {
  if (typeof currency !== 'string' || !CURRENCY_CODE.test(currency)) {
    throw new Error(
      `${field}: expected a 3-letter ISO 4217 code such as "XXX", got ${JSON.stringify(currency)}`,
    );
  }
  return currency as v2_0.Types.Currency;
}

export function checkDateTime(field: string, value: unknown): string {
  if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new Error(
      `${field}: expected an FSPIOP DateTime with milliseconds such as "2030-01-01T00:00:00.000Z", got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkId(field: string, id: unknown): string {
  if (typeof id !== 'string' || !CORRELATION_ID_V2_0.test(id)) {
    throw new Error(`${field}: expected a lower-case UUID or an upper-case ULID, got ${JSON.stringify(id)}`);
  }
  return id;
}

function checkFulfilment(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ILP_CONDITION.test(value)) {
    throw new Error(`${field}: expected 43 base64url characters (32 bytes), got ${JSON.stringify(value)}`);
  }
  return value;
}

export function money(amount: string, currency: string, field = 'amount'): Money {
  return {
    currency: checkCurrency(`${field}.currency`, currency),
    amount: checkAmount(`${field}.amount`, amount),
  };
}

/**
 * The P2P transaction type the SDKs and the harness use. Keys are in sorted order, as are those of
 * `party()`: the ILP transaction JSON is key-sorted, and objects already in order are not copied.
 */
export const P2P_TRANSACTION_TYPE: TransactionType = Object.freeze({
  initiator: 'PAYER',
  initiatorType: 'CONSUMER',
  scenario: 'TRANSFER',
}) as TransactionType;

export interface PartySpec {
  /** Default `MSISDN`. */
  idType?: PartyIdType;
  idValue: string;
  fspId: string;
  subIdOrType?: string;
  /** Display name (1..128 characters). */
  name?: string;
}

/** A Party: `{name?, partyIdInfo:{fspId, partyIdType, partyIdentifier, partySubIdOrType?}}` (keys sorted). */
export function party(spec: PartySpec): Party {
  const partyIdInfo = {
    fspId: spec.fspId,
    partyIdType: spec.idType ?? 'MSISDN',
    partyIdentifier: spec.idValue,
  } as Party['partyIdInfo'];
  if (spec.subIdOrType !== undefined) partyIdInfo.partySubIdOrType = spec.subIdOrType;
  return spec.name === undefined ? { partyIdInfo } : ({ name: spec.name, partyIdInfo } as Party);
}

export interface TransfersPostSpec {
  transferId: string;
  payerFsp: string;
  payeeFsp: string;
  amount: string;
  currency: string;
  ilpPacket: string;
  condition: string;
  /** FSPIOP DateTime with milliseconds. */
  expiration: string;
  extensionList?: ExtensionList;
}

/** POST /transfers (payer -> hub). */
export function transfersPostBody(s: TransfersPostSpec): TransfersPostRequest {
  const body: TransfersPostRequest = {
    transferId: checkId('transferId', s.transferId),
    payeeFsp: s.payeeFsp,
    payerFsp: s.payerFsp,
    amount: money(s.amount, s.currency),
    ilpPacket: s.ilpPacket,
    condition: s.condition,
    expiration: checkDateTime('expiration', s.expiration),
  };
  if (s.extensionList !== undefined) body.extensionList = s.extensionList;
  return body;
}

export type FulfilState = 'COMMITTED' | 'RESERVED';

export interface TransferFulfilSpec {
  fulfilment: string;
  /** FSPIOP DateTime; the hub accepts it within +200 ms / -300 s of its own clock. */
  completedTimestamp: string;
  /** `RESERVED` asks the hub for a commit notification (PATCH) instead of committing outright. */
  transferState: FulfilState;
  extensionList?: ExtensionList;
}

/** PUT /transfers/{ID} (payee -> hub). */
export function transferFulfilBody(s: TransferFulfilSpec): TransfersIDPutResponse {
  if (s.transferState !== 'COMMITTED' && s.transferState !== 'RESERVED') {
    throw new Error(
      `transferState: a payee fulfils with "COMMITTED" or "RESERVED" (reject with PUT .../error), got ${JSON.stringify(s.transferState)}`,
    );
  }
  const body: TransfersIDPutResponse = {
    fulfilment: checkFulfilment('fulfilment', s.fulfilment),
    completedTimestamp: checkDateTime('completedTimestamp', s.completedTimestamp),
    transferState: s.transferState,
  };
  if (s.extensionList !== undefined) body.extensionList = s.extensionList;
  return body;
}

export interface TransferPatchSpec {
  completedTimestamp: string;
  transferState: 'COMMITTED' | 'ABORTED';
  extensionList?: ExtensionList;
}

/** PATCH /transfers/{ID} (hub -> payee, the commit notification after RESERVED). */
export function transferPatchBody(s: TransferPatchSpec): TransfersIDPatchResponse {
  if (s.transferState !== 'COMMITTED' && s.transferState !== 'ABORTED') {
    throw new Error(
      `transferState: expected "COMMITTED" or "ABORTED", got ${JSON.stringify(s.transferState)}`,
    );
  }
  const body: TransfersIDPatchResponse = {
    completedTimestamp: checkDateTime('completedTimestamp', s.completedTimestamp),
    transferState: s.transferState,
  };
  if (s.extensionList !== undefined) body.extensionList = s.extensionList;
  return body;
}

export interface QuotesPostSpec {
  quoteId: string;
  transactionId: string;
  payer: Party;
  payee: Party;
  amount: string;
  currency: string;
  /** Default `SEND`. */
  amountType?: 'SEND' | 'RECEIVE';
  /** Default P2P transfer. */
  transactionType?: TransactionType;
  expiration?: string;
  note?: string;
}

/** POST /quotes (payer -> hub). */
export function quotesPostBody(s: QuotesPostSpec): QuotesPostRequest {
  const body: QuotesPostRequest = {
    quoteId: checkId('quoteId', s.quoteId),
    transactionId: checkId('transactionId', s.transactionId),
    payee: s.payee,
    payer: s.payer,
    amountType: s.amountType ?? 'SEND',
    amount: money(s.amount, s.currency),
    transactionType: s.transactionType ?? P2P_TRANSACTION_TYPE,
  };
  if (s.note !== undefined) body.note = s.note;
  if (s.expiration !== undefined) body.expiration = checkDateTime('expiration', s.expiration);
  return body;
}

export interface QuotesPutSpec {
  transferAmount: string;
  currency: string;
  expiration: string;
  ilpPacket: string;
  condition: string;
  /** Optional payee fee, same currency. */
  payeeFspFee?: string;
}

/** PUT /quotes/{ID} (payee -> hub). */
export function quotesPutBody(s: QuotesPutSpec): QuotesIDPutResponse {
  const body: QuotesIDPutResponse = {
    transferAmount: money(s.transferAmount, s.currency, 'transferAmount'),
    expiration: checkDateTime('expiration', s.expiration),
    ilpPacket: s.ilpPacket,
    condition: checkFulfilment('condition', s.condition),
  };
  if (s.payeeFspFee !== undefined) body.payeeFspFee = money(s.payeeFspFee, s.currency, 'payeeFspFee');
  return body;
}

/** PUT /parties/{Type}/{ID} (payee -> hub). */
export function partiesPutBody(p: Party): PartiesTypeIDPutResponse {
  return { party: p };
}

const PATH_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;

/**
 * The path of GET /parties/{Type}/{ID}[/{SubId}] (the request has no body). Refuses segments that
 * would need percent-encoding rather than sending a path the hub would route differently.
 */
export function partiesPath(type: PartyIdType, id: string, subId?: string): string {
  for (const [field, v] of [
    ['type', type],
    ['id', id],
    ['subId', subId],
  ] as const) {
    if (v !== undefined && !PATH_SEGMENT.test(v)) {
      throw new Error(`parties ${field}: expected a non-empty URL path segment, got ${JSON.stringify(v)}`);
    }
  }
  return subId === undefined ? `/parties/${type}/${id}` : `/parties/${type}/${id}/${subId}`;
}

/** ErrorDescription: 1..128 characters. */
export const ERROR_DESCRIPTION_MAX = 128;

/** `{errorInformation:{errorCode, errorDescription, extensionList?}}`; long descriptions are cut to 128. */
export function errorBody(
  errorCode: string,
  errorDescription: string,
  extensionList?: ExtensionList,
): ErrorInformationObject {
  if (!ERROR_CODE.test(errorCode)) {
    throw new Error(
      `errorCode: expected four digits without a leading zero such as "3100", got ${JSON.stringify(errorCode)}`,
    );
  }
  const description =
    errorDescription.length === 0
      ? 'Error'
      : errorDescription.length > ERROR_DESCRIPTION_MAX
        ? errorDescription.slice(0, ERROR_DESCRIPTION_MAX)
        : errorDescription;
  const errorInformation: ErrorInformationObject['errorInformation'] = {
    errorCode,
    errorDescription: description,
  };
  if (extensionList !== undefined) errorInformation.extensionList = extensionList;
  return { errorInformation };
}
