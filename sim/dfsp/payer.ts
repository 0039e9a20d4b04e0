/**
 * The payer side of a simulated DFSP: receives the callbacks of its own requests.
 *
 * Transfer callbacks (PUT /transfers/{ID}, PUT .../error) are interpreted with the protocol core
 * (`interpretTransferCallback`: COMMITTED, an error code, or not final) and filed with the relay,
 * errors on the same channel as commits; they also resolve outbound-API waits. Callbacks for
 * transfers this DFSP answered as payee are payee notifications and only counted.
 */
import { interpretTransferCallback } from '../../lib/protocol/interpret.ts';
import { errorResponse } from '../fspiop/errors.ts';
import { RELAY_MAX_ID, RELAY_MAX_KEY } from '../relay/relay.ts';
import {
  EMPTY_200,
  header,
  jsonDepthError,
  type SimRequest,
  type SimResponse,
  safeDecode,
} from '../runtime/message.ts';
import type { DfspSim } from './dfsp.ts';

function malformed(dfsp: DfspSim, code: string, detail: string): SimResponse {
  dfsp.counters.malformed++;
  return errorResponse(code, detail);
}

export function onTransferCallback(
  dfsp: DfspSim,
  req: SimRequest,
  id: string,
  isError: boolean,
): SimResponse {
  if (id.length === 0 || id.length > RELAY_MAX_ID)
    return malformed(dfsp, '3100', `path transfer ID: expected 1..${RELAY_MAX_ID} characters`);
  const deep = jsonDepthError(req.body);
  if (deep !== undefined) return malformed(dfsp, '3101', `body is not valid JSON: ${deep}`);
  if (dfsp.payeeIds.has(id)) {
    dfsp.counters.payeeNotifications++;
    return EMPTY_200;
  }
  if (req.method === 'PATCH') {
    // A PATCH only ever goes to a payee; one we cannot place is just counted.
    dfsp.counters.payeeNotifications++;
    return EMPTY_200;
  }
  dfsp.counters.payerCallbacks++;
  const outcome = interpretTransferCallback(req.body, isError);
  const relay = dfsp.ctx.relay;
  if (relay) {
    relay.record({
      transferId: id,
      state: outcome.kind === 'committed' ? 'COMMITTED' : outcome.kind === 'rejected' ? 'ABORTED' : undefined,
      errorCode: outcome.kind === 'rejected' ? outcome.errorCode : undefined,
      errorDescription: outcome.kind === 'rejected' ? outcome.errorDescription : undefined,
      tracestate: header(req, 'tracestate'),
      arrivedAtMs: req.receivedAtMs,
    });
  }
  dfsp.resolvePending(`transfers:${id}`, req);
  return EMPTY_200;
}

/**
 * PUT /quotes/{ID}[/error]: resolves an outbound-API wait, or else goes to the relay for the e2e
 * flow's phase wait.
 */
export function onPayerQuotesCallback(
  dfsp: DfspSim,
  req: SimRequest,
  id: string,
  isError: boolean,
): SimResponse {
  const key = safeDecode(id);
  if (key.length === 0 || key.length > RELAY_MAX_KEY)
    return malformed(dfsp, '3100', `path quote ID: expected 1..${RELAY_MAX_KEY} characters`);
  const deep = jsonDepthError(req.body);
  if (deep !== undefined) return malformed(dfsp, '3101', `body is not valid JSON: ${deep}`);
  dfsp.counters.payerCallbacks++;
  if (!dfsp.resolvePending(`quotes:${id}`, req)) {
    dfsp.ctx.relay?.recordPhase('quotes', key, req.body, isError, req.receivedAtMs);
  }
  return EMPTY_200;
}

/** PUT /parties/{Type}/{ID}[/{SubId}][/error]: as quotes, keyed by `<Type>/<ID>[/<SubId>]`. */
export function onPayerPartiesCallback(
  dfsp: DfspSim,
  req: SimRequest,
  segs: string[],
  isError: boolean,
): SimResponse {
  const key = segs.map(safeDecode).join('/');
  if (key.length === 0 || key.length > RELAY_MAX_KEY)
    return malformed(dfsp, '3100', `path party (Type/ID/SubId): expected 1..${RELAY_MAX_KEY} characters`);
  const deep = jsonDepthError(req.body);
  if (deep !== undefined) return malformed(dfsp, '3101', `body is not valid JSON: ${deep}`);
  dfsp.counters.payerCallbacks++;
  if (!dfsp.resolvePending(`parties:${segs.join('/')}`, req)) {
    dfsp.ctx.relay?.recordPhase('parties', key, req.body, isError, req.receivedAtMs);
  }
  return EMPTY_200;
}
