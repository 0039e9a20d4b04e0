/**
 * A simulated DFSP's endpoints: the FSPIOP callbacks the hub calls (`/dfsp/<fspId>/...`) and the
 * synchronous outbound API (`/dfsp/<fspId>/outbound/...`). Every simulated DFSP is both a payee
 * (answers POST /transfers, GET /parties, POST /quotes) and a payer (receives the callbacks of its
 * own requests, feeds the relay, resolves outbound-API waits).
 */
import { errorResponse } from '../fspiop/errors.ts';
import type { SimRequest, SimResponse } from '../runtime/message.ts';
import type { DfspSim } from './dfsp.ts';
import { handleOutbound } from './outbound.ts';
import { onPartiesGet, onQuotesPost, onTransfersPost } from './payee.ts';
import { onPayerPartiesCallback, onPayerQuotesCallback, onTransferCallback } from './payer.ts';

/** Routes a request under `/dfsp/<fspId>` to `dfsp`'s handlers; `sub` is the rest of the path. */
export function routeDfsp(dfsp: DfspSim, req: SimRequest, sub: string): SimResponse | Promise<SimResponse> {
  if (sub.startsWith('/outbound/')) return handleOutbound(dfsp, req, sub.slice('/outbound'.length));
  const segs = sub.split('/');
  const resource = segs[1];
  const m = req.method;
  if (resource === 'transfers') {
    if (segs.length === 2 && m === 'POST') return onTransfersPost(dfsp, req);
    if (
      (segs.length === 3 && (m === 'PUT' || m === 'PATCH')) ||
      (segs.length === 4 && segs[3] === 'error' && m === 'PUT')
    ) {
      return onTransferCallback(dfsp, req, segs[2]!, segs.length === 4);
    }
  } else if (resource === 'parties') {
    const isError = segs[segs.length - 1] === 'error';
    if (m === 'GET' && !isError && segs.length >= 4 && segs.length <= 5)
      return onPartiesGet(dfsp, req, segs.slice(2));
    if (m === 'PUT')
      return onPayerPartiesCallback(dfsp, req, segs.slice(2, isError ? -1 : undefined), isError);
  } else if (resource === 'quotes') {
    if (segs.length === 2 && m === 'POST') return onQuotesPost(dfsp, req);
    if (m === 'PUT' && (segs.length === 3 || (segs.length === 4 && segs[3] === 'error'))) {
      return onPayerQuotesCallback(dfsp, req, segs[2]!, segs.length === 4);
    }
  }
  return errorResponse('3002', `DFSP ${dfsp.fspId} has no endpoint ${m} ${sub.slice(0, 80)}`);
}
