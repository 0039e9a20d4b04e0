/**
 * Everything a payer needs to send one transfer: the POST /transfers body plus its ILP packet,
 * condition and fulfilment (the fulfilment is kept for tests and for a payee that shares the
 * secret; the payer never sends it).
 *
 * Two ILP versions (docs/facts/mojaloop.md#ilp): `v1` (ILP Payment, what FSPIOP payees and the
 * Testing Toolkit decode) and `v4` (ILP Prepare, what ISO 20022 needs). Two ILP modes, chosen once
 * at configuration time:
 * - `per-transfer`: a fresh transaction object per transfer, its packet and the SDK's HMAC
 *   fulfilment. Realistic; costs one HMAC, one SHA-256 and the packet encoding.
 * - `fixed`: packets computed once and reused, as the Mojaloop performance harness does, but one per
 *   payer→payee pair and amount: each names the transfer's payer FSP, payee FSP, amount and
 *   currency, so a payee or Testing Toolkit that checks the packet against the transfer
 *   (`validateIlpAgainstTransferRequest`) accepts it. Only the ids (quoteId, transactionId) and the
 *   parties (one per FSP) are shared by all transfers of a pair.
 */
import type { Party, TransactionType, TransfersPostRequest } from './bodies.ts';
import { P2P_TRANSACTION_TYPE, party, transfersPostBody } from './bodies.ts';
import type { CryptoProvider } from './crypto.ts';
import {
  buildIlpV4,
  conditionFromFulfilment,
  conditionOfIlpPacket,
  type IlpMaterial,
  type IlpVersion,
  ilpSecretKey,
  ilpVersionOfPacket,
  transactionJsonOfPacket,
} from './ilp.ts';
import { buildIlpV1, ilpV1Address } from './ilp-v1.ts';
import { ILP_CONDITION } from './patterns.ts';
import type { IlpTransaction } from './transaction.ts';
import { transactionJson, transactionObject } from './transaction.ts';

export type { IlpVersion } from './ilp.ts';

/** The sdk-scheme-adapter's default ILP secret (`ILP_SECRET`), also the simulator's default. */
export const DEFAULT_ILP_SECRET = 'mojaloop-sdk';

export type IlpMode = 'per-transfer' | 'fixed';

/** A packet and its condition, as a transfer carries them. */
export interface IlpPair {
  ilpPacket: string;
  condition: string;
  /** Needed only by whoever fulfils (tests, a payee without the secret). */
  fulfilment?: string;
}

/** The fixed-mode pair of one payer→payee DFSP pair at one amount; its packet names these four. */
export interface FixedIlp extends IlpPair {
  payerFsp: string;
  payeeFsp: string;
  amount: string;
  currency: string;
}

/** What a fixed packet is computed for. */
export type FixedIlpSpec = Pick<FixedIlp, 'payerFsp' | 'payeeFsp' | 'amount' | 'currency'>;

export interface TransferMaterialConfig {
  crypto: CryptoProvider;
  /** ILP secret shared with the payees (default `mojaloop-sdk`). */
  secret?: string;
  /** Default `per-transfer`. */
  ilp?: IlpMode;
  /** Packet version, default `v4`. The run config chooses `v1` for FSPIOP and `v4` for ISO 20022. */
  ilpVersion?: IlpVersion;
  /** `fixed` mode: the MSISDN of each FSP's party in computed packets (default: the FSP id). */
  fixedMsisdn?: ReadonlyMap<string, string>;
  /** `fixed` mode: expiry of computed packets (default 2099-12-31T23:59:59.999Z). */
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
  /** FSPIOP DateTime with milliseconds; also the packet's expiresAt (v4) in per-transfer mode. */
  expiration: string;
  note?: string;
  /**
   * Fixed mode: index of the pair in the `fixedIlp` list, a hint that saves the lookup (checked
   * against the pair's FSPs and amount, so a wrong hint costs a lookup, never a wrong packet).
   */
  pairIndex?: number;
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
const FIXED_EXPIRATION = '2099-12-31T23:59:59.999Z';

function partyOf(given: Party | undefined, msisdn: string | undefined, fspId: string): Party {
  return given ?? party({ idType: 'MSISDN', idValue: msisdn ?? fspId, fspId });
}

function checkedVersion(given: IlpVersion | undefined): IlpVersion {
  const version = given ?? 'v4';
  if (version !== 'v1' && version !== 'v4') {
    throw new Error(`ilpVersion: expected "v1" or "v4", got ${JSON.stringify(version)}`);
  }
  return version;
}

/**
 * The ILP material of a transaction object in `version`: v1 addresses the packet to the payee
 * (`g.<fsp>.<type>.<id>`), v4 to `g.mojaloop` with the transaction's expiration as expiresAt.
 */
export function ilpOfTransaction(
  version: IlpVersion,
  tx: IlpTransaction,
  secretKey: Uint8Array,
  crypto: CryptoProvider,
): IlpMaterial {
  const json = transactionJson(tx);
  const { amount, currency } = tx.amount;
  return version === 'v1'
    ? buildIlpV1(
        { transactionJson: json, amount, currency, account: ilpV1Address(tx.payee.partyIdInfo) },
        secretKey,
        crypto,
      )
    : buildIlpV4({ transactionJson: json, amount, currency, expiration: tx.expiration }, secretKey, crypto);
}

/** Checks the configuration once and returns the per-transfer builder. */
export function transferMaterialBuilder(config: TransferMaterialConfig): TransferMaterialBuilder {
  const { crypto } = config;
  const mode = config.ilp ?? 'per-transfer';
  if (mode !== 'per-transfer' && mode !== 'fixed') {
    throw new Error(`ilp: expected "per-transfer" or "fixed", got ${JSON.stringify(mode)}`);
  }
  const version = checkedVersion(config.ilpVersion);
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
      const ilp = ilpOfTransaction(version, tx, key, crypto);
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

  // Each pair's packet on its first transfer (a k6 run hands precomputed ones to fixedMaterialBuilder).
  return fixedMaterialBuilder([], fixedIlpComputer(config));
}

/**
 * The fixed packets of `specs`, computed from the secret (they name their pair's FSPs and amount
 * by construction; the tests hold them against the SDK's own ILP code). A k6 run computes them
 * once, in its coordinating VU, and hands them to the load VUs (lib/k6/scenario.ts): computing
 * them in every VU would cost each of them init-time garbage.
 */
export function fixedIlpPairs(
  config: Omit<TransferMaterialConfig, 'ilp'>,
  specs: readonly FixedIlpSpec[],
): FixedIlp[] {
  return specs.map(fixedIlpComputer(config));
}

/**
 * Computes the fixed packet of one pair and amount: a transaction object with fixed ids and
 * expiry, one party per FSP (its `fixedMsisdn`), the pair's FSPs, the amount and currency.
 */
export function fixedIlpComputer(
  config: Omit<TransferMaterialConfig, 'ilp'>,
): (spec: FixedIlpSpec) => FixedIlp {
  const version = checkedVersion(config.ilpVersion);
  const key = ilpSecretKey(checkedSecret(config.secret));
  const transactionType = config.transactionType ?? P2P_TRANSACTION_TYPE;
  const expiration = config.fixedExpiration ?? FIXED_EXPIRATION;
  const msisdn = config.fixedMsisdn;
  return (s: FixedIlpSpec): FixedIlp => {
    const tx = transactionObject({
      quoteId: FIXED_ID,
      transactionId: FIXED_ID,
      transactionType,
      payer: party({ idValue: msisdn?.get(s.payerFsp) ?? s.payerFsp, fspId: s.payerFsp }),
      payee: party({ idValue: msisdn?.get(s.payeeFsp) ?? s.payeeFsp, fspId: s.payeeFsp }),
      expiration,
      amount: s.amount,
      currency: s.currency,
    });
    const ilp = ilpOfTransaction(version, tx, key, config.crypto);
    return {
      payerFsp: s.payerFsp,
      payeeFsp: s.payeeFsp,
      amount: s.amount,
      currency: s.currency,
      ilpPacket: ilp.ilpPacket,
      condition: ilp.condition,
      fulfilment: ilp.fulfilment,
    };
  };
}

function matches(f: FixedIlp, s: TransferSpec): boolean {
  return (
    f.payerFsp === s.payerFsp &&
    f.payeeFsp === s.payeeFsp &&
    f.amount === s.amount &&
    f.currency === s.currency
  );
}

/** Computed packets of pairs outside the given list, per builder; cleared when full. */
const MAX_COMPUTED = 1024;

/**
 * The fixed-mode builder for pairs from `fixedIlpPairs` (not checked again). A transfer takes the
 * pair at `spec.pairIndex` when it matches (four string comparisons), else the pair of its FSPs
 * and amount; without one, `compute` makes it (once, then it is kept), and without `compute` the
 * builder throws rather than send a packet that names another transfer.
 */
export function fixedMaterialBuilder(
  pairs: readonly FixedIlp[],
  compute?: (spec: FixedIlpSpec) => FixedIlp,
): TransferMaterialBuilder {
  let byKey: Map<string, FixedIlp> | undefined;
  let computed = 0;
  const find = (s: TransferSpec): FixedIlp => {
    const k = `${s.payerFsp} ${s.payeeFsp} ${s.amount} ${s.currency}`;
    if (!byKey) {
      byKey = new Map();
      for (const f of pairs) byKey.set(`${f.payerFsp} ${f.payeeFsp} ${f.amount} ${f.currency}`, f);
    }
    let f = byKey.get(k);
    if (f) return f;
    if (!compute) {
      throw new Error(
        `fixed ILP: no packet for ${s.payerFsp} -> ${s.payeeFsp} at ${s.amount} ${s.currency}; the fixed pairs cover the pool's pairs at the run's amount`,
      );
    }
    f = compute(s);
    if (computed >= MAX_COMPUTED) {
      byKey = undefined;
      computed = 0;
    } else {
      byKey.set(k, f);
      computed++;
    }
    return f;
  };
  return (s) => {
    const at = s.pairIndex === undefined ? undefined : pairs[s.pairIndex];
    const fixed = at !== undefined && matches(at, s) ? at : find(s);
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

/** Reads a member path of a parsed transaction object, or undefined. */
function at(tx: unknown, ...path: string[]): unknown {
  let v = tx;
  for (const p of path)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/**
 * Checks fixed pairs made elsewhere (`fixedIlp[i]...` names the culprit) and returns them. A pair is
 * usable when its condition is well formed, its packet is of the run's version (a v4 packet carries
 * the condition), the fulfilment, if any, hashes to the condition, and the packet names the pair's
 * payer FSP, payee FSP, amount and currency exactly (the SDK's and the Testing Toolkit's
 * `validateIlpAgainstTransferRequest` compare those four strings).
 */
export function checkFixedIlp(
  pairs: readonly FixedIlp[],
  version: IlpVersion,
  crypto: CryptoProvider,
): readonly FixedIlp[] {
  for (let i = 0; i < pairs.length; i++) checkFixed(pairs[i]!, version, crypto, `fixedIlp[${i}]`);
  return pairs;
}

function checkFixed(f: FixedIlp, version: IlpVersion, crypto: CryptoProvider, field: string): void {
  if (!ILP_CONDITION.test(f.condition)) {
    throw new Error(
      `${field}.condition: expected 43 base64url characters, got ${JSON.stringify(f.condition)}`,
    );
  }
  const json = transactionJsonOfPacket(f.ilpPacket);
  if (!json.ok) throw new Error(`${field}.ilpPacket: ${json.error}`);
  const packetVersion = ilpVersionOfPacket(f.ilpPacket);
  if (packetVersion !== version) {
    throw new Error(`${field}.ilpPacket: an ILP ${packetVersion} packet, but the run uses ILP ${version}`);
  }
  if (version === 'v4') {
    const inPacket = conditionOfIlpPacket(f.ilpPacket);
    if (!inPacket.ok) throw new Error(`${field}.ilpPacket: ${inPacket.error}`);
    if (inPacket.value !== f.condition) {
      throw new Error(`${field}.ilpPacket: the packet carries a different condition than ${field}.condition`);
    }
  }
  if (f.fulfilment !== undefined && conditionFromFulfilment(f.fulfilment, crypto) !== f.condition) {
    throw new Error(`${field}.fulfilment: SHA-256 of the fulfilment is not the condition`);
  }
  let tx: unknown;
  try {
    tx = JSON.parse(json.value);
  } catch {
    throw new Error(`${field}.ilpPacket: the packet's data is not a JSON transaction object`);
  }
  const named: Array<[string, unknown, string]> = [
    ['payer FSP', at(tx, 'payer', 'partyIdInfo', 'fspId'), f.payerFsp],
    ['payee FSP', at(tx, 'payee', 'partyIdInfo', 'fspId'), f.payeeFsp],
    ['amount', at(tx, 'amount', 'amount'), f.amount],
    ['currency', at(tx, 'amount', 'currency'), f.currency],
  ];
  for (const [what, got, want] of named) {
    if (got !== want) {
      throw new Error(
        `${field}.ilpPacket: the packet names ${what} ${JSON.stringify(got)}, the transfer ${JSON.stringify(want)}`,
      );
    }
  }
}
