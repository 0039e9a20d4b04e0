/**
 * The simulated hub's FSPIOP surface: routes /transfers, /parties and /quotes requests to their
 * services after the synchronous header checks. Unknown paths -> 404/3002, known paths with the
 * wrong method -> 405/3000, PATCH /transfers/{ID} from a DFSP -> 501/2002, a malformed path ID ->
 * 400/3100.
 */
import { CORRELATION_ID_V2_0 } from '../../lib/protocol/patterns.ts';
import { FspiopError } from '../fspiop/errors.ts';
import { type SimRequest, type SimResponse, safeDecode } from '../runtime/message.ts';
import type { HubContext } from './context.ts';
import { PartiesService, type PartyPath } from './parties.ts';
import { QuotesService } from './quotes.ts';
import { TransfersService } from './transfers.ts';
import { type CheckedHeaders, checkHeaders } from './validation.ts';

const PARTY_SEGMENT = /^[^/]{1,128}$/;

export class Hub {
  readonly transfers: TransfersService;
  readonly parties: PartiesService;
  readonly quotes: QuotesService;

  constructor(readonly ctx: HubContext) {
    this.transfers = new TransfersService(ctx);
    this.parties = new PartiesService(ctx);
    this.quotes = new QuotesService(ctx);
  }

  /** Whether a path belongs to the hub's FSPIOP API. */
  static owns(path: string): boolean {
    return path.startsWith('/transfers') || path.startsWith('/parties') || path.startsWith('/quotes');
  }

  private fail(code: string, detail: string): SimResponse {
    this.ctx.ledger.countSyncRejection(code);
    // 3000 from the router is always "method not allowed" (405).
    return new FspiopError(code, detail, undefined, code === '3000' ? 405 : undefined).response();
  }

  private headers(req: SimRequest, resource: string): CheckedHeaders | SimResponse {
    const h = checkHeaders(req, { resource, isoAllowed: resource === 'transfers' });
    if (h instanceof FspiopError) {
      this.ctx.ledger.countSyncRejection(h.code);
      return h.response();
    }
    return h;
  }

  handle(req: SimRequest): SimResponse {
    const segs = req.path.split('/');
    // segs[0] is '' (leading slash); a trailing slash leaves a final ''.
    if (segs.length > 2 && segs[segs.length - 1] === '') segs.pop();
    const resource = segs[1];
    const m = req.method;
    const n = segs.length;
    if (resource === 'transfers') {
      if (n === 2) {
        if (m !== 'POST') return this.fail('3000', `${m} /transfers is not allowed`);
        const h = this.headers(req, 'transfers');
        return 'status' in h ? h : this.transfers.post(req, h);
      }
      const id = segs[2]!;
      if (n === 3 || (n === 4 && segs[3] === 'error')) {
        const isError = n === 4;
        if (m === 'PATCH' && !isError)
          return this.fail('2002', 'PATCH /transfers/{ID} is a hub-to-payee notification');
        const allowed = isError ? m === 'PUT' : m === 'PUT' || m === 'GET';
        if (!allowed)
          return this.fail(
            '3000',
            `${m} ${isError ? '/transfers/{ID}/error' : '/transfers/{ID}'} is not allowed`,
          );
        if (!CORRELATION_ID_V2_0.test(id))
          return this.fail('3100', `path ID ${JSON.stringify(id.slice(0, 64))} is not a UUID or ULID`);
        const h = this.headers(req, 'transfers');
        if ('status' in h) return h;
        if (isError) return this.transfers.putError(req, h, id);
        return m === 'PUT' ? this.transfers.put(req, h, id) : this.transfers.get(req, h, id);
      }
      return this.fail('3002', `unknown path ${req.path.slice(0, 100)}`);
    }
    if (resource === 'parties') {
      // /parties/{Type}/{ID}[/{SubId}][/error]
      let isError = false;
      let parts = segs.slice(2);
      if (parts.length >= 3 && parts[parts.length - 1] === 'error') {
        isError = true;
        parts = parts.slice(0, -1);
      }
      if (parts.length < 2 || parts.length > 3 || !parts.every((p) => PARTY_SEGMENT.test(p))) {
        return this.fail('3002', `unknown path ${req.path.slice(0, 100)}`);
      }
      const party: PartyPath = {
        type: safeDecode(parts[0]!),
        id: safeDecode(parts[1]!),
        path: `/parties/${parts.join('/')}`,
      };
      if (parts[2] !== undefined) party.subId = safeDecode(parts[2]);
      if (isError ? m !== 'PUT' : m !== 'GET' && m !== 'PUT') {
        return this.fail('3000', `${m} ${isError ? '/parties/.../error' : '/parties/...'} is not allowed`);
      }
      const h = this.headers(req, 'parties');
      if ('status' in h) return h;
      return m === 'GET' ? this.parties.get(req, h, party) : this.parties.put(req, h, party, isError);
    }
    if (resource === 'quotes') {
      if (n === 2) {
        if (m !== 'POST') return this.fail('3000', `${m} /quotes is not allowed`);
        const h = this.headers(req, 'quotes');
        return 'status' in h ? h : this.quotes.post(req, h);
      }
      const id = segs[2]!;
      if (n === 3 || (n === 4 && segs[3] === 'error')) {
        const isError = n === 4;
        const allowed = isError ? m === 'PUT' : m === 'PUT' || m === 'GET';
        if (!allowed)
          return this.fail('3000', `${m} ${isError ? '/quotes/{ID}/error' : '/quotes/{ID}'} is not allowed`);
        if (!CORRELATION_ID_V2_0.test(id))
          return this.fail('3100', `path ID ${JSON.stringify(id.slice(0, 64))} is not a UUID or ULID`);
        const h = this.headers(req, 'quotes');
        if ('status' in h) return h;
        if (m === 'GET') return this.quotes.get(req, h, id);
        return this.quotes.put(req, h, id, isError);
      }
      return this.fail('3002', `unknown path ${req.path.slice(0, 100)}`);
    }
    return this.fail('3002', `unknown path ${req.path.slice(0, 100)}`);
  }
}
