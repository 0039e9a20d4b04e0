/**
 * The payer side of a simulated DFSP: receives the callbacks of its own requests.
 *
 * Transfer callbacks (PUT /transfers/{ID}, PUT .../error) are interpreted with the protocol core
 * (`interpretTransferCallback`: COMMITTED, an error code, or not final) and filed with the relay,
 * errors on the same channel as commits; they also resolve outbound-API waits. Callbacks for
 * transfers this DFSP answered as payee are payee notifications and only counted.
 */
import { interpretTransferCallback } from '../../lib/protocol/interpret.ts';
import { EMPTY_200, header, type SimRequest, type SimResponse, safeDecode } from '../runtime/message.ts';
import type { DfspSim } from './dfsp.ts';

export function onTransferCallback(
  dfsp: DfspSim,
  req: SimRequest,
  id: string,
  isError: boolean,
): SimResponse {
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
  dfsp.counters.payerCallbacks++;
  if (!dfsp.resolvePending(`quotes:${id}`, req)) {
    dfsp.ctx.relay?.recordPhase('quotes', safeDecode(id), req.body, isError, req.receivedAtMs);
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
  dfsp.counters.payerCallbacks++;
  if (!dfsp.resolvePending(`parties:${segs.join('/')}`, req)) {
    dfsp.ctx.relay?.recordPhase(
      'parties',
      segs.map(safeDecode).join('/'),
      req.body,
      isError,
      req.receivedAtMs,
    );
  }
  return EMPTY_200;
}
