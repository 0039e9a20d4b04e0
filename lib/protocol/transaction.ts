/**
 * The transaction object an ILP v4 packet carries in its data field, in the SDK's shape
 * (sdk-standard-components `transactionObjectDto`): `{quoteId, transactionId, transactionType,
 * payee, payer, expiration, amount, note?}`, where `amount` is the quote's transfer amount and
 * `expiration` the quote's. Note this is *not* the API's `Transaction` schema, which has no
 * `expiration`; what matters is that payer, payee and their SDKs agree on the bytes.
 *
 * `transactionJson` is the canonical (sorted-key) text that goes into the packet and the HMAC; the
 * SDK's own field order does not matter, as both SDK generations reproduce sorted text.
 */
import type { Money, Party, TransactionType } from './bodies.ts';
import { canonicalJson } from './canonical-json.ts';

export interface IlpTransaction {
  quoteId: string;
  transactionId: string;
  transactionType: TransactionType;
  payee: Party;
  payer: Party;
  expiration: string;
  amount: Money;
  note?: string;
}

export interface TransactionSpec {
  quoteId: string;
  transactionId: string;
  transactionType: TransactionType;
  payer: Party;
  payee: Party;
  /** FSPIOP DateTime (the quote expiration; also the packet's expiresAt). */
  expiration: string;
  amount: string;
  currency: string;
  note?: string;
}

/**
 * The transaction object. Keys are inserted in sorted order (the JSON text is sorted anyway, and an
 * object already in order is serialised without a reordered copy).
 */
export function transactionObject(s: TransactionSpec): IlpTransaction {
  const amount = { amount: s.amount, currency: s.currency as Money['currency'] };
  if (s.note !== undefined && s.note !== '') {
    return {
      amount,
      expiration: s.expiration,
      note: s.note,
      payee: s.payee,
      payer: s.payer,
      quoteId: s.quoteId,
      transactionId: s.transactionId,
      transactionType: s.transactionType,
    };
  }
  return {
    amount,
    expiration: s.expiration,
    payee: s.payee,
    payer: s.payer,
    quoteId: s.quoteId,
    transactionId: s.transactionId,
    transactionType: s.transactionType,
  };
}

/**
 * The exact JSON text the packet carries and the fulfilment is computed over: `canonicalJson(tx)`.
 * The usual shape (a `transactionObject` with plain MSISDN-style parties and a frozen transaction
 * type such as P2P_TRANSACTION_TYPE) is written by a template with native string escaping, which
 * costs k6 a fraction of the generic walk; anything else takes the generic path.
 */
export function transactionJson(tx: IlpTransaction): string {
  const keys = Object.keys(tx).length;
  const note = tx.note;
  const payee = plainPartyJson(tx.payee);
  const payer = plainPartyJson(tx.payer);
  const type = frozenJson(tx.transactionType);
  if (
    keys !== (note === undefined ? 7 : 8) ||
    payee === undefined ||
    payer === undefined ||
    type === undefined ||
    !isMoney(tx.amount) ||
    typeof tx.expiration !== 'string' ||
    typeof tx.quoteId !== 'string' ||
    typeof tx.transactionId !== 'string' ||
    (note !== undefined && typeof note !== 'string')
  ) {
    return canonicalJson(tx);
  }
  const q = JSON.stringify;
  return (
    `{"amount":{"amount":${q(tx.amount.amount)},"currency":${q(tx.amount.currency)}},"expiration":${q(tx.expiration)}` +
    (note === undefined ? '' : `,"note":${q(note)}`) +
    `,"payee":${payee},"payer":${payer},"quoteId":${q(tx.quoteId)},"transactionId":${q(tx.transactionId)}` +
    `,"transactionType":${type}}`
  );
}

function isMoney(m: unknown): m is { amount: string; currency: string } {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return Object.keys(o).length === 2 && typeof o.amount === 'string' && typeof o.currency === 'string';
}

/** `{partyIdInfo:{fspId, partyIdType, partyIdentifier}}` with string values, written sorted. */
function plainPartyJson(p: unknown): string | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const info = (p as { partyIdInfo?: unknown }).partyIdInfo;
  if (Object.keys(p).length !== 1 || typeof info !== 'object' || info === null) return undefined;
  const i = info as Record<string, unknown>;
  if (
    Object.keys(i).length !== 3 ||
    typeof i.fspId !== 'string' ||
    typeof i.partyIdType !== 'string' ||
    typeof i.partyIdentifier !== 'string'
  ) {
    return undefined;
  }
  const q = JSON.stringify;
  return `{"partyIdInfo":{"fspId":${q(i.fspId)},"partyIdType":${q(i.partyIdType)},"partyIdentifier":${q(i.partyIdentifier)}}}`;
}

const FROZEN_JSON = new WeakMap<object, string>();

/**
 * Canonical JSON of a shallowly frozen object of primitives (the transaction type constants),
 * memoised by identity: frozen means it cannot change under the cache.
 */
function frozenJson(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || !Object.isFrozen(v)) return undefined;
  let text = FROZEN_JSON.get(v);
  if (text === undefined) {
    for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) return undefined;
    text = canonicalJson(v);
    FROZEN_JSON.set(v, text);
  }
  return text;
}
