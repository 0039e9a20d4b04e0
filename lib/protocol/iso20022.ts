/**
 * FSPIOP API v2.0 ISO 20022 transfer bodies (media type `application/vnd.interoperability.iso20022.
 * transfers+json;version=2.0`), mapped from the FSPIOP shapes the way the Mojaloop schema
 * transformer maps them:
 *
 * - POST /transfers, pacs.008 `Execute_FIToFICustomerCreditTransferV13`: transferId -> `PmtId.TxId`
 *   (a ULID: ISO mode has no UUID ids), transactionId -> `PmtId.EndToEndId`, payer/payee FSP ->
 *   `DbtrAgt`/`CdtrAgt.FinInstnId.Othr.Id` (and the minimal `Dbtr`/`Cdtr` organisation ids the
 *   harness sends), amount -> `IntrBkSttlmAmt`, ilpPacket -> `VrfctnOfTerms.IlpV4PrepPacket`,
 *   expiration -> `GrpHdr.PmtInstrXpryDtTm`. There is no condition field: the hub decodes it from
 *   the packet, which must therefore be a real ILP v4 Prepare.
 * - PUT and PATCH /transfers/{ID}, pacs.002 `PacsStatus_FIToFIPaymentStatusReportV15`:
 *   `TxInfAndSts {ExctnConf: fulfilment, PrcgDt.DtTm: completedTimestamp, TxSts: COMM|RESV|RECV|ABOR}`.
 * - PUT /transfers/{ID}/error, `PacsError_FIToFIPaymentStatusReportV15`:
 *   `TxInfAndSts.StsRsnInf {Rsn.Prtry: errorCode, AddtlInf: description (<= 105 characters)}`.
 */
import type { v2_0_ISO20022 } from '@mojaloop/api-snippets';
import type { TransfersPostRequest } from './bodies.ts';
import { checkAmount, checkCurrency, checkDateTime } from './bodies.ts';
import { conditionOfIlpPacket } from './ilp.ts';
import { ERROR_CODE, ILP_CONDITION, ISO_AMOUNT, ISO_ULID } from './patterns.ts';

export type IsoTransfersPost = v2_0_ISO20022.Types.Execute_FIToFICustomerCreditTransferV13;
export type IsoTransferStatus = v2_0_ISO20022.Types.PacsStatus_FIToFIPaymentStatusReportV15;
export type IsoTransferError = v2_0_ISO20022.Types.PacsError_FIToFIPaymentStatusReportV15;

export type TransferState = 'RECEIVED' | 'RESERVED' | 'COMMITTED' | 'ABORTED';
export type IsoTxStatus = 'RECV' | 'RESV' | 'COMM' | 'ABOR';

export const ISO_TX_STATUS: Readonly<Record<TransferState, IsoTxStatus>> = {
  RECEIVED: 'RECV',
  RESERVED: 'RESV',
  COMMITTED: 'COMM',
  ABORTED: 'ABOR',
};
export const TRANSFER_STATE_OF_ISO: Readonly<Record<IsoTxStatus, TransferState>> = {
  RECV: 'RECEIVED',
  RESV: 'RESERVED',
  COMM: 'COMMITTED',
  ABOR: 'ABORTED',
};

/** Max35Text: the GrpHdr.MsgId limit. */
const MSG_ID = /^.{1,35}$/s;
/** Max105Text: the limit of StsRsnInf.AddtlInf. */
export const ISO_ADDITIONAL_INFO_MAX = 105;

export interface IsoHeader {
  /** GrpHdr.MsgId (1..35 characters), unique per message: a ULID is the usual choice. */
  msgId: string;
  /** GrpHdr.CreDtTm, FSPIOP DateTime with milliseconds. */
  createdAt: string;
}

function grpHdr(h: IsoHeader): { MsgId: string; CreDtTm: string } {
  if (typeof h.msgId !== 'string' || !MSG_ID.test(h.msgId)) {
    throw new Error(`msgId: expected 1..35 characters, got ${JSON.stringify(h.msgId)}`);
  }
  return { MsgId: h.msgId, CreDtTm: checkDateTime('createdAt', h.createdAt) };
}

/**
 * pacs.008 for a POST /transfers body. `transactionId` (EndToEndId) defaults to the transferId.
 * Throws when the transfer id is not a ULID or the amount exceeds ISO's 18 significant digits.
 */
export function isoTransfersPostBody(
  t: TransfersPostRequest,
  h: IsoHeader & { transactionId?: string },
): IsoTransfersPost {
  if (!ISO_ULID.test(t.transferId)) {
    throw new Error(
      `transferId: ISO 20022 mode needs an upper-case ULID, got ${JSON.stringify(t.transferId)}`,
    );
  }
  const endToEnd = h.transactionId ?? t.transferId;
  if (!ISO_ULID.test(endToEnd)) {
    throw new Error(
      `transactionId: ISO 20022 mode needs an upper-case ULID, got ${JSON.stringify(endToEnd)}`,
    );
  }
  const amount = checkAmount('amount.amount', t.amount.amount);
  if (!ISO_AMOUNT.test(amount)) {
    throw new Error(
      `amount.amount: ISO 20022 allows at most 18 digits in all, got ${JSON.stringify(amount)}`,
    );
  }
  const body = {
    GrpHdr: {
      ...grpHdr(h),
      PmtInstrXpryDtTm: checkDateTime('expiration', t.expiration),
      NbOfTxs: '1',
      SttlmInf: { SttlmMtd: 'CLRG' },
    },
    CdtTrfTxInf: {
      PmtId: { TxId: t.transferId, EndToEndId: endToEnd },
      ChrgBr: 'SHAR',
      Cdtr: { Id: { OrgId: { Othr: { Id: t.payeeFsp } } } },
      Dbtr: { Id: { OrgId: { Othr: { Id: t.payerFsp } } } },
      CdtrAgt: { FinInstnId: { Othr: { Id: t.payeeFsp } } },
      DbtrAgt: { FinInstnId: { Othr: { Id: t.payerFsp } } },
      IntrBkSttlmAmt: {
        Ccy: checkCurrency('amount.currency', t.amount.currency),
        ActiveCurrencyAndAmount: amount,
      },
      VrfctnOfTerms: { IlpV4PrepPacket: t.ilpPacket },
    },
  };
  return body as unknown as IsoTransfersPost;
}

export interface IsoFulfilSpec extends IsoHeader {
  fulfilment: string;
  completedTimestamp: string;
  transferState: 'COMMITTED' | 'RESERVED';
}

/** pacs.002 for the payee's PUT /transfers/{ID}. */
export function isoTransferFulfilBody(s: IsoFulfilSpec): IsoTransferStatus {
  if (s.transferState !== 'COMMITTED' && s.transferState !== 'RESERVED') {
    throw new Error(
      `transferState: expected "COMMITTED" or "RESERVED", got ${JSON.stringify(s.transferState)}`,
    );
  }
  if (typeof s.fulfilment !== 'string' || !ILP_CONDITION.test(s.fulfilment)) {
    throw new Error(`fulfilment: expected 43 base64url characters, got ${JSON.stringify(s.fulfilment)}`);
  }
  return {
    GrpHdr: grpHdr(s),
    TxInfAndSts: {
      ExctnConf: s.fulfilment,
      PrcgDt: { DtTm: checkDateTime('completedTimestamp', s.completedTimestamp) },
      TxSts: ISO_TX_STATUS[s.transferState],
    },
  } as IsoTransferStatus;
}

export interface IsoPatchSpec extends IsoHeader {
  completedTimestamp: string;
  transferState: 'COMMITTED' | 'ABORTED';
}

/** pacs.002 for the hub's PATCH /transfers/{ID} commit notification. */
export function isoTransferPatchBody(s: IsoPatchSpec): IsoTransferStatus {
  if (s.transferState !== 'COMMITTED' && s.transferState !== 'ABORTED') {
    throw new Error(
      `transferState: expected "COMMITTED" or "ABORTED", got ${JSON.stringify(s.transferState)}`,
    );
  }
  return {
    GrpHdr: grpHdr(s),
    TxInfAndSts: {
      PrcgDt: { DtTm: checkDateTime('completedTimestamp', s.completedTimestamp) },
      TxSts: ISO_TX_STATUS[s.transferState],
    },
  } as IsoTransferStatus;
}

export interface IsoErrorSpec extends IsoHeader {
  errorCode: string;
  errorDescription: string;
}

/** PacsError for PUT /transfers/{ID}/error; the description is cut to 105 characters. */
export function isoTransferErrorBody(s: IsoErrorSpec): IsoTransferError {
  if (!ERROR_CODE.test(s.errorCode)) {
    throw new Error(
      `errorCode: expected four digits without a leading zero such as "3100", got ${JSON.stringify(s.errorCode)}`,
    );
  }
  const info =
    s.errorDescription.length === 0 ? 'Error' : s.errorDescription.slice(0, ISO_ADDITIONAL_INFO_MAX);
  return {
    GrpHdr: grpHdr(s),
    TxInfAndSts: { StsRsnInf: { Rsn: { Prtry: s.errorCode }, AddtlInf: info } },
  } as IsoTransferError;
}

export type IsoDecode<T> = { ok: true; value: T } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/**
 * The FSPIOP view of a pacs.008 POST /transfers body, condition decoded from the packet (what the
 * hub does). Never throws; the error names the first missing or malformed element.
 */
export function transferFromIso(body: unknown): IsoDecode<TransfersPostRequest> {
  const fields: Array<[keyof TransfersPostRequest | 'currency' | 'amountValue', string[]]> = [
    ['transferId', ['CdtTrfTxInf', 'PmtId', 'TxId']],
    ['payerFsp', ['CdtTrfTxInf', 'DbtrAgt', 'FinInstnId', 'Othr', 'Id']],
    ['payeeFsp', ['CdtTrfTxInf', 'CdtrAgt', 'FinInstnId', 'Othr', 'Id']],
    ['currency', ['CdtTrfTxInf', 'IntrBkSttlmAmt', 'Ccy']],
    ['amountValue', ['CdtTrfTxInf', 'IntrBkSttlmAmt', 'ActiveCurrencyAndAmount']],
    ['ilpPacket', ['CdtTrfTxInf', 'VrfctnOfTerms', 'IlpV4PrepPacket']],
    ['expiration', ['GrpHdr', 'PmtInstrXpryDtTm']],
  ];
  const v: Record<string, string> = {};
  for (const [name, path] of fields) {
    const x = at(body, ...path);
    if (typeof x !== 'string' || x.length === 0) return { ok: false, error: `missing ${path.join('.')}` };
    v[name] = x;
  }
  const condition = conditionOfIlpPacket(v.ilpPacket!);
  if (!condition.ok)
    return { ok: false, error: `CdtTrfTxInf.VrfctnOfTerms.IlpV4PrepPacket: ${condition.error}` };
  return {
    ok: true,
    value: {
      transferId: v.transferId!,
      payeeFsp: v.payeeFsp!,
      payerFsp: v.payerFsp!,
      amount: { amount: v.amountValue!, currency: v.currency! as TransfersPostRequest['amount']['currency'] },
      ilpPacket: v.ilpPacket!,
      condition: condition.value,
      expiration: v.expiration!,
    },
  };
}
