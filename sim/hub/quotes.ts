/**
 * The quoting service in its default simple-routing (pass-through) mode: POST /quotes is answered
 * 202 and forwarded as-is to FSPIOP-Destination (or the payee party's fspId), and the payee's
 * PUT /quotes/{ID} (or .../error) is forwarded back to its FSPIOP-Destination. Unknown destination
 * FSP -> 3201 from Hub to the sender.
 */

import { FspiopError } from '../fspiop/errors.ts';
import {
  EMPTY_200,
  EMPTY_202,
  header,
  parseJson,
  type SimRequest,
  type SimResponse,
} from '../runtime/message.ts';
import { forwardHeaders } from './callbacks.ts';
import type { HubContext } from './context.ts';
import { sendHubError } from './parties.ts';
import { validateFspiopBody } from './schemas.ts';
import type { CheckedHeaders } from './validation.ts';

interface ForwardTask {
  req: SimRequest;
  method: 'POST' | 'PUT' | 'GET';
  path: string;
  quoteId: string;
  source: string;
  dest: string | undefined;
}

export class QuotesService {
  constructor(private readonly ctx: HubContext) {}

  private reject(e: FspiopError): SimResponse {
    this.ctx.ledger.countSyncRejection(e.code);
    return e.response();
  }

  post(req: SimRequest, h: CheckedHeaders): SimResponse {
    const parsed = parseJson(req.body);
    if (!parsed.ok) return this.reject(new FspiopError('3101', `body is not valid JSON: ${parsed.error}`));
    const body = parsed.value;
    const err = validateFspiopBody('QuotesPostRequest', body);
    if (err) return this.reject(err);
    const b = body as { quoteId: string; payee: { partyIdInfo: { fspId?: string } } };
    const dest = header(req, 'fspiop-destination') || b.payee.partyIdInfo.fspId;
    this.schedule({ req, method: 'POST', path: '/quotes', quoteId: b.quoteId, source: h.source, dest });
    return EMPTY_202;
  }

  put(req: SimRequest, h: CheckedHeaders, quoteId: string, isError: boolean): SimResponse {
    const parsed = parseJson(req.body);
    if (!parsed.ok) return this.reject(new FspiopError('3101', `body is not valid JSON: ${parsed.error}`));
    const err = validateFspiopBody(isError ? 'ErrorInformationObject' : 'QuotesIDPutResponse', parsed.value);
    if (err) return this.reject(err);
    const path = isError ? `/quotes/${quoteId}/error` : `/quotes/${quoteId}`;
    this.schedule({
      req,
      method: 'PUT',
      path,
      quoteId,
      source: h.source,
      dest: header(req, 'fspiop-destination'),
    });
    return EMPTY_200;
  }

  get(req: SimRequest, h: CheckedHeaders, quoteId: string): SimResponse {
    this.schedule({
      req,
      method: 'GET',
      path: `/quotes/${quoteId}`,
      quoteId,
      source: h.source,
      dest: header(req, 'fspiop-destination'),
    });
    return EMPTY_202;
  }

  private schedule(task: ForwardTask): void {
    this.ctx.scheduler.after(this.ctx.faults.delayMs('lookup', Date.now()), this.forward, task);
  }

  private readonly forward = (t: ForwardTask): void => {
    const ctx = this.ctx;
    if (!t.dest || !ctx.participants.get(t.dest)) {
      sendHubError(
        ctx,
        'quotes',
        t.source,
        `/quotes/${t.quoteId}`,
        '3201',
        `destination FSP ${t.dest ?? '(none)'} not found`,
        t.req,
      );
      return;
    }
    const headers = forwardHeaders(
      t.req,
      { destination: t.dest, uri: t.path, method: t.method, stage: 'timeApiQuotes' },
      ctx.trace,
      Date.now(),
    );
    ctx.deliver(t.dest, t.method, t.path, headers, t.method === 'GET' ? undefined : t.req.body, 'other');
  };
}
