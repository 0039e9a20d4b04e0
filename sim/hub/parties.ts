/**
 * The account-lookup service (ALS) as the payer sees it: GET /parties/{Type}/{ID}[/{SubId}] is
 * answered 202, the owning FSP is found (FSPIOP-Destination if the payer named one, else the
 * oracle), the GET is forwarded there, and the payee's PUT /parties/... (or .../error) is forwarded
 * back to its FSPIOP-Destination. Unknown party -> 3204 from Hub; unknown destination FSP -> 3201.
 */
import { errorObject, FspiopError } from '../fspiop/errors.ts';
import { PARTY_ID_TYPES, unknownPartyIdType } from '../fspiop/party-id-types.ts';
import {
  EMPTY_200,
  EMPTY_202,
  header,
  parseJson,
  type SimRequest,
  type SimResponse,
} from '../runtime/message.ts';
import { forwardHeaders, hubHeaders, traceOf } from './callbacks.ts';
import type { HubContext } from './context.ts';
import { validateFspiopBody } from './schemas.ts';
import type { CheckedHeaders } from './validation.ts';

export interface PartyPath {
  type: string;
  id: string;
  subId?: string;
  /** `/parties/{Type}/{ID}[/{SubId}]` */
  path: string;
}

interface LookupTask {
  req: SimRequest;
  party: PartyPath;
  source: string;
}

interface ForwardTask {
  req: SimRequest;
  path: string;
  source: string;
}

/** Sends a Hub-originated error callback on a non-transfer resource. */
export function sendHubError(
  ctx: HubContext,
  resource: string,
  to: string,
  path: string,
  code: string,
  detail: string,
  req: SimRequest,
): void {
  const now = Date.now();
  const uri = `${path}/error`;
  const headers = hubHeaders(
    { destination: to, uri, method: 'PUT', stage: 'timeApiError' },
    { hubName: ctx.options.hubName, contentType: ctx.hubContentType(resource), cause: traceOf(req) },
    ctx.trace,
    now,
  );
  ctx.deliver(to, 'PUT', uri, headers, JSON.stringify(errorObject(code, detail)), 'other');
}

export class PartiesService {
  constructor(private readonly ctx: HubContext) {}

  get(req: SimRequest, h: CheckedHeaders, party: PartyPath): SimResponse {
    if (!PARTY_ID_TYPES.includes(party.type)) {
      this.ctx.ledger.countSyncRejection('3100');
      return new FspiopError('3100', unknownPartyIdType(party.type)).response();
    }
    const task: LookupTask = { req, party, source: h.source };
    this.ctx.scheduler.after(this.ctx.faults.delayMs('lookup', Date.now()), this.lookup, task);
    return EMPTY_202;
  }

  private readonly lookup = ({ req, party, source }: LookupTask): void => {
    const ctx = this.ctx;
    if (!ctx.participants.get(source)) {
      // Nobody to answer: the requester is not a registered participant.
      ctx.counters.undeliverable++;
      return;
    }
    const dest = header(req, 'fspiop-destination') || ctx.participants.lookupParty(party.type, party.id);
    if (!dest) {
      sendHubError(
        ctx,
        'parties',
        source,
        party.path,
        '3204',
        `no FSP holds party ${party.type}/${party.id}`,
        req,
      );
      return;
    }
    if (!ctx.participants.get(dest)) {
      sendHubError(ctx, 'parties', source, party.path, '3201', `destination FSP ${dest} not found`, req);
      return;
    }
    const headers = forwardHeaders(
      req,
      { destination: dest, uri: party.path, method: 'GET', stage: 'timeApiParties' },
      ctx.trace,
      Date.now(),
    );
    ctx.deliver(dest, 'GET', party.path, headers, undefined, 'other');
  };

  put(req: SimRequest, h: CheckedHeaders, party: PartyPath, isError: boolean): SimResponse {
    const parsed = parseJson(req.body);
    if (!parsed.ok) {
      this.ctx.ledger.countSyncRejection('3101');
      return new FspiopError('3101', `body is not valid JSON: ${parsed.error}`).response();
    }
    const err = validateFspiopBody(
      isError ? 'ErrorInformationObject' : 'PartiesTypeIDPutResponse',
      parsed.value,
    );
    if (err) {
      this.ctx.ledger.countSyncRejection(err.code);
      return err.response();
    }
    const path = isError ? `${party.path}/error` : party.path;
    this.ctx.scheduler.after(this.ctx.faults.delayMs('lookup', Date.now()), this.forwardPut, {
      req,
      path,
      source: h.source,
    });
    return EMPTY_200;
  }

  private readonly forwardPut = ({ req, path, source }: ForwardTask): void => {
    const ctx = this.ctx;
    const dest = header(req, 'fspiop-destination');
    if (!dest || !ctx.participants.get(dest)) {
      const base = path.endsWith('/error') ? path.slice(0, -'/error'.length) : path;
      sendHubError(
        ctx,
        'parties',
        source,
        base,
        '3201',
        `destination FSP ${dest ?? '(none)'} not found`,
        req,
      );
      return;
    }
    const headers = forwardHeaders(
      req,
      { destination: dest, uri: path, method: 'PUT', stage: 'timeApiParties' },
      ctx.trace,
      Date.now(),
    );
    ctx.deliver(dest, 'PUT', path, headers, req.body, 'other');
  };
}
