/**
 * The hub's and the DFSP simulators' side of ISO 20022 mode: reading the pacs.002 / PacsError
 * bodies DFSPs send, and building the ones the hub originates (state answers, errors, timeouts,
 * the RESERVED commit PATCH). The payer's pacs.008 is read with `transferFromIso`
 * (lib/protocol/iso20022.ts), which also decodes the condition from the ILP v4 packet.
 */

import { ulid } from '../../lib/protocol/ids.ts';
import {
  ISO_ADDITIONAL_INFO_MAX,
  ISO_TX_STATUS,
  type IsoTxStatus,
  isoTransferErrorBody,
  isoTransferPatchBody,
  TRANSFER_STATE_OF_ISO,
  type TransferState,
} from '../../lib/protocol/iso20022.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { isRecord } from '../runtime/message.ts';

export const ISO_TRANSFERS_CONTENT_TYPE =
  'application/vnd.interoperability.iso20022.transfers+json;version=2.0';

function header(nowMs: number): { msgId: string; createdAt: string } {
  return { msgId: ulid(nowMs, 0, nodeCrypto), createdAt: new Date(nowMs).toISOString() };
}

export interface StatusView {
  transferState: TransferState;
  fulfilment?: string;
  completedTimestamp?: string;
}

/** The FSPIOP view of a pacs.002 (schema-validated already); undefined when TxSts is missing. */
export function statusFromIso(body: unknown): StatusView | undefined {
  const tx = isRecord(body) ? body.TxInfAndSts : undefined;
  if (!isRecord(tx)) return undefined;
  const state = TRANSFER_STATE_OF_ISO[tx.TxSts as IsoTxStatus];
  if (!state) return undefined;
  const out: StatusView = { transferState: state };
  if (typeof tx.ExctnConf === 'string') out.fulfilment = tx.ExctnConf;
  const prcg = tx.PrcgDt;
  if (isRecord(prcg) && typeof prcg.DtTm === 'string') out.completedTimestamp = prcg.DtTm;
  return out;
}

/**
 * `{errorCode, errorDescription}` of a PacsError body, or undefined. The reason is an ISO choice of
 * `Rsn.Prtry` (where Mojaloop's converter puts the FSPIOP code) or `Rsn.Cd` (where the Testing
 * Toolkit puts it); either carries the code.
 */
export function errorFromIso(body: unknown): { errorCode: string; errorDescription: string } | undefined {
  const tx = isRecord(body) ? body.TxInfAndSts : undefined;
  const sts = isRecord(tx) ? tx.StsRsnInf : undefined;
  const rsn = isRecord(sts) ? sts.Rsn : undefined;
  const code = !isRecord(rsn) ? undefined : typeof rsn.Prtry === 'string' ? rsn.Prtry : rsn.Cd;
  if (typeof code !== 'string') return undefined;
  const info = isRecord(sts) && typeof sts.AddtlInf === 'string' ? sts.AddtlInf : '';
  return { errorCode: code, errorDescription: info };
}

/** pacs.002 of a hub state answer (GET /transfers, duplicate resend, RESERVED -> payer commit). */
export function isoStatusBody(
  nowMs: number,
  s: { transferState: TransferState; fulfilment?: string; completedTimestamp?: string },
): string {
  const tx: Record<string, unknown> = {};
  if (s.fulfilment) tx.ExctnConf = s.fulfilment;
  if (s.completedTimestamp) tx.PrcgDt = { DtTm: s.completedTimestamp };
  tx.TxSts = ISO_TX_STATUS[s.transferState];
  const h = header(nowMs);
  return JSON.stringify({ GrpHdr: { MsgId: h.msgId, CreDtTm: h.createdAt }, TxInfAndSts: tx });
}

export function isoPatchBody(
  nowMs: number,
  completedTimestamp: string,
  state: 'COMMITTED' | 'ABORTED',
): string {
  return JSON.stringify(isoTransferPatchBody({ ...header(nowMs), completedTimestamp, transferState: state }));
}

export function isoErrorBody(nowMs: number, errorCode: string, errorDescription: string): string {
  return JSON.stringify(
    isoTransferErrorBody({
      ...header(nowMs),
      errorCode,
      errorDescription: errorDescription.slice(0, ISO_ADDITIONAL_INFO_MAX),
    }),
  );
}
