/**
 * Everything a payer needs to send one transfer: the POST /transfers body plus its ILP packet,
 * condition and fulfilment (the fulfilment is kept for tests and for a payee that shares the
 * secret; the payer never sends it).
 *
 * Two ILP modes, chosen once at configuration time:
 * - `per-transfer` (default): a fresh transaction object per transfer, its ILP v4 packet and the
 *   SDK's HMAC fulfilment. Realistic; costs one HMAC, one SHA-256 and the packet encoding.
 * - `fixed`: one packet/condition pair computed (or given) at configuration time and reused by
 *   every transfer, as the Mojaloop performance harness does. The hub never decodes the packet in
 *   FSPIOP mode and, in ISO mode, only decodes its condition, so this is valid on the wire; the
 *   packet's amount and parties just do not match the body.
 */
import type { Party, TransactionType, TransfersPostRequest } from './bodies.ts';
import { P2P_TRANSACTION_TYPE, party, transfersPostBody } from './bodies.ts';
import type { CryptoProvider } from './crypto.ts';
import { buildIlpV4, conditionFromFulfilment, conditionOfIlpPacket, ilpSecretKey } from './ilp.ts';
import { ILP_CONDITION } from './patterns.ts';
import type { IlpTransaction } from './transaction.ts';
import { transactionJson, transactionObject } from './transaction.ts';

/** The sdk-scheme-adapter's default ILP secret (`ILP_SECRET`), also the simulator's default. */
export const DEFAULT_ILP_SECRET = 'mojaloop-sdk';

export type IlpMode = 'per-transfer' | 'fixed';

export interface FixedIlp {
  ilpPacket: string;
  condition: string;
  /** Needed only by whoever fulfils (tests, a payee without the secret). */
  fulfilment?: string;
}

export interface TransferMaterialConfig {
  crypto: CryptoProvider;
  /** ILP secret shared with the payees (default `mojaloop-sdk`). */
  secret?: string;
  /** Default `per-transfer`. */
  ilp?: IlpMode;
  /** `fixed` mode: this pair instead of one computed from the secret. */
  fixedIlp?: FixedIlp;
  /** `fixed` mode: expiry of the computed packet (default 2099-12-31T23:59:59.999Z). */
  fixedExpiration?: string;
  /** Default P2P TRANSFER/PAYER/CONSUMER. */
  transactionType?: TransactionType;
}

export interface TransferSpec {
  transferId: string;
  /** Default: the transferId (the SDKs also use transactionId = transferId). */
  quoteId?: string;
  /** Default: the transferId. */
  transactionId?: string;
  payerFsp: string;
  payeeFsp: string;
  /** Payer party; default MSISDN `payerMsisdn` (or the FSP id) at `payerFsp`. */
  payer?: Party;
  payee?: Party;
  payerMsisdn?: string;
  payeeMsisdn?: string;
  amount: string;
  currency: string;
  /** FSPIOP DateTime with milliseconds; also the packet's expiresAt in per-transfer mode. */
  expiration: string;
  note?: string;
}

export interface TransferMaterial {
  body: TransfersPostRequest;
  ilpPacket: string;
  condition: string;
  /** Undefined only in fixed mode with a given pair that has none. */
  fulfilment: string | undefined;
  /** Per-transfer mode: the transaction object the packet carries. */
  transaction?: IlpTransaction;
}

export type TransferMaterialBuilder = (spec: TransferSpec) => TransferMaterial;

const FIXED_ID = '00000000000000000000000000';

function partyOf(given: Party | undefined, msisdn: string | undefined, fspId: string): Party {
  return given ?? party({ idType: 'MSISDN', idValue: msisdn ?? fspId, fspId });
}

/** Checks the configuration once and returns the per-transfer builder. */
export function transferMaterialBuilder(config: TransferMaterialConfig): TransferMaterialBuilder {
  const { crypto } = config;
  const mode = config.ilp ?? 'per-transfer';
  if (mode !== 'per-transfer' && mode !== 'fixed') {
    throw new Error(`ilp: expected "per-transfer" or "fixed", got ${JSON.stringify(mode)}`);
  }
  const key = ilpSecretKey(checkedSecret(config.secret));
  const transactionType = config.transactionType ?? P2P_TRANSACTION_TYPE;

  if (mode === 'per-transfer') {
    return (s) => {
      const id = s.transferId;
      const tx = transactionObject({
        quoteId: s.quoteId ?? id,
        transactionId: s.transactionId ?? id,
        transactionType,
        payer: partyOf(s.payer, s.payerMsisdn, s.payerFsp),
        payee: partyOf(s.payee, s.payeeMsisdn, s.payeeFsp),
        expiration: s.expiration,
        amount: s.amount,
        currency: s.currency,
        note: s.note,
      });
      // The body checks the amount, currency and expiration formats before the ILP work.
      const body = transfersPostBody({
        transferId: id,
        payerFsp: s.payerFsp,
        payeeFsp: s.payeeFsp,
        amount: s.amount,
        currency: s.currency,
        ilpPacket: '',
        condition: '',
        expiration: s.expiration,
      });
      const ilp = buildIlpV4(
        {
          transactionJson: transactionJson(tx),
          amount: s.amount,
          currency: s.currency,
          expiration: s.expiration,
        },
        key,
        crypto,
      );
      body.ilpPacket = ilp.ilpPacket;
      body.condition = ilp.condition;
      return {
        body,
        ilpPacket: ilp.ilpPacket,
        condition: ilp.condition,
        fulfilment: ilp.fulfilment,
        transaction: tx,
      };
    };
  }

  return fixedMaterialBuilder(fixedIlpPair(config));
}

/**
 * The fixed-mode pair: `config.fixedIlp` or one computed from the secret, checked (condition
 * format, the packet carries the condition, the fulfilment hashes to it). A k6 run computes it
 * once, in its coordinating VU, and hands it to the load VUs (lib/k6/scenario.ts): decoding and
 * hashing it in every VU would cost each of them ~0.25 MB of init-time garbage.
 */
export function fixedIlpPair(
  config: Pick<
    TransferMaterialConfig,
    'crypto' | 'secret' | 'fixedIlp' | 'fixedExpiration' | 'transactionType'
  >,
): FixedIlp {
  const fixed =
    config.fixedIlp ??
    computeFixedIlp(
      ilpSecretKey(checkedSecret(config.secret)),
      config.crypto,
      config.transactionType ?? P2P_TRANSACTION_TYPE,
      config.fixedExpiration,
    );
  checkFixed(fixed, config.crypto);
  return fixed;
}

/** The fixed-mode builder for a pair from `fixedIlpPair` (not checked again). */
export function fixedMaterialBuilder(fixed: FixedIlp): TransferMaterialBuilder {
  return (s) => {
    const body = transfersPostBody({
      transferId: s.transferId,
      payerFsp: s.payerFsp,
      payeeFsp: s.payeeFsp,
      amount: s.amount,
      currency: s.currency,
      ilpPacket: fixed.ilpPacket,
      condition: fixed.condition,
      expiration: s.expiration,
    });
    return { body, ilpPacket: fixed.ilpPacket, condition: fixed.condition, fulfilment: fixed.fulfilment };
  };
}

function checkedSecret(given: string | undefined): string {
  const secret = given ?? DEFAULT_ILP_SECRET;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new Error(`secret: expected a non-empty ILP secret, got ${JSON.stringify(secret)}`);
  }
  return secret;
}

/** The fixed pair a payee sharing the secret can also fulfil (its packet decodes normally). */
function computeFixedIlp(
  key: Uint8Array,
  crypto: CryptoProvider,
  transactionType: TransactionType,
  expiration = '2099-12-31T23:59:59.999Z',
): FixedIlp {
  const tx = transactionObject({
    quoteId: FIXED_ID,
    transactionId: FIXED_ID,
    transactionType,
    payer: party({ idValue: 'payer', fspId: 'payer' }),
    payee: party({ idValue: 'payee', fspId: 'payee' }),
    expiration,
    amount: '1',
    currency: 'XXX',
  });
  return buildIlpV4(
    { transactionJson: transactionJson(tx), amount: '1', currency: 'XXX', expiration },
    key,
    crypto,
  );
}

function checkFixed(f: FixedIlp, crypto: CryptoProvider): void {
  if (!ILP_CONDITION.test(f.condition)) {
    throw new Error(
      `fixedIlp.condition: expected 43 base64url characters, got ${JSON.stringify(f.condition)}`,
    );
  }
  const inPacket = conditionOfIlpPacket(f.ilpPacket);
  if (!inPacket.ok) throw new Error(`fixedIlp.ilpPacket: ${inPacket.error}`);
  if (inPacket.value !== f.condition) {
    throw new Error('fixedIlp.ilpPacket: the packet carries a different condition than fixedIlp.condition');
  }
  if (f.fulfilment !== undefined && conditionFromFulfilment(f.fulfilment, crypto) !== f.condition) {
    throw new Error('fixedIlp.fulfilment: SHA-256 of the fulfilment is not the condition');
  }
}
