/**
 * Admin endpoints (`/admin/...`), for tests, reconciliation and fault rehearsal:
 *
 * - `GET /admin/ledger`: counts by final state and error code, sync rejections, duplicates,
 *   positions, callback and relay totals. `GET /admin/ledger/transfers/<id>`: one transfer.
 * - `GET|POST /admin/participants`: list, or add/replace one participant (or an array).
 * - `GET|PUT /admin/oracle`: the party -> FSP rules of the account lookup.
 * - `GET|PUT /admin/faults`: the active fault profile (a preset name or a JSON profile).
 * - `POST /admin/reset`: forget transfers, counters, positions and relay contents.
 *
 * Every error is a JSON `errorInformation` naming the field and what was expected.
 */
import type { DfspSim } from './dfsp/dfsp.ts';
import { errorResponse, methodNotAllowed } from './fspiop/errors.ts';
import type { Hub } from './hub/hub.ts';
import {
  checkOracleRules,
  checkParticipantConfig,
  formatUnits,
  MAX_PARTICIPANTS,
  type ParticipantConfig,
} from './hub/participants.ts';
import type { Relay } from './relay/relay.ts';
import { type Faults, parseFaultProfile } from './runtime/faults.ts';
import { json, parseJson, type SimRequest, type SimResponse, safeDecode } from './runtime/message.ts';
import type { Transport } from './runtime/transport.ts';

export interface AdminParts {
  hub: Hub | undefined;
  faults: Faults;
  relay: Relay | undefined;
  transport: Transport;
  dfsps: () => Iterable<DfspSim>;
  /** Creates the simulated DFSP of a participant added without an endpoint (when hosted here). */
  onParticipantAdded: (c: ParticipantConfig) => void;
}

function invalid(detail: string): SimResponse {
  return errorResponse('3100', detail);
}

export class Admin {
  constructor(private readonly parts: AdminParts) {}

  handle(req: SimRequest, sub: string): SimResponse {
    const m = req.method;
    const { hub, faults, relay } = this.parts;
    if (sub === '/faults') {
      if (m === 'GET') return json(200, { profile: faults.profile, counters: faults.counters });
      if (m === 'PUT') {
        const body = this.body(req);
        if ('status' in body) return body;
        const p = parseFaultProfile(body.value);
        if (!p.ok) return invalid(p.error);
        faults.set(p.value);
        return json(200, { profile: faults.profile });
      }
      return methodNotAllowed(`${m} /admin/faults is not allowed (GET, PUT)`);
    }
    if (sub === '/reset' && m === 'POST') {
      if (hub) {
        hub.ctx.ledger.clear();
        hub.ctx.participants.resetPositions();
        hub.ctx.counters.sent = 0;
        hub.ctx.counters.undeliverable = 0;
      }
      relay?.reset();
      for (const d of this.parts.dfsps()) d.payeeIds.clear();
      return json(200, { reset: true });
    }
    if (!hub)
      return errorResponse('3002', `unknown admin path ${sub.slice(0, 80)} (this service hosts no hub)`);
    const ctx = hub.ctx;
    if (sub === '/ledger' && m === 'GET') return json(200, this.ledger());
    if (sub.startsWith('/ledger/transfers/') && m === 'GET') {
      const id = safeDecode(sub.slice('/ledger/transfers/'.length));
      const r = ctx.ledger.get(id);
      const outcome = relay?.outcomeOf(id);
      if (!r)
        return errorResponse(
          '3208',
          `transfer ${id.slice(0, 64)} is not in the ledger (never received, or evicted)`,
        );
      return json(200, {
        transferId: r.transferId,
        state: r.state,
        payerFsp: r.payerFsp,
        payeeFsp: r.payeeFsp,
        amount: { amount: r.amount, currency: r.currency },
        api: r.api,
        expiration: r.expiration,
        createdAtMs: r.createdAtMs,
        completedAtMs: r.completedAtMs,
        completedTimestamp: r.completedTimestamp,
        fulfilment: r.fulfilment,
        errorCode: r.errorCode,
        errorDescription: r.errorDescription,
        reserveNotification: r.reserveNotification ?? false,
        relay: outcome ?? null,
      });
    }
    if (sub === '/participants') {
      if (m === 'GET') return json(200, { participants: this.participants() });
      if (m === 'POST') {
        const body = this.body(req);
        if ('status' in body) return body;
        const list = Array.isArray(body.value) ? body.value : [body.value];
        if (list.length === 0 || list.length > 1000)
          return invalid('participants: expected one participant object or an array of 1..1000');
        const checked: ParticipantConfig[] = [];
        for (let i = 0; i < list.length; i++) {
          const c = checkParticipantConfig(
            list[i],
            Array.isArray(body.value) ? `participants[${i}]` : 'participant',
          );
          if (!c.ok) return invalid(c.error);
          checked.push(c.value);
        }
        const added = ctx.participants.newIds(checked.map((c) => c.fspId));
        if (ctx.participants.size + added > MAX_PARTICIPANTS) {
          return invalid(
            `participants: at most ${MAX_PARTICIPANTS} participants; ${ctx.participants.size} are registered and this adds ${added}`,
          );
        }
        for (const c of checked) {
          ctx.participants.upsert(c);
          if (!c.endpoint) this.parts.onParticipantAdded(c);
        }
        return json(201, { participants: this.participants() });
      }
      return methodNotAllowed(`${m} /admin/participants is not allowed (GET, POST)`);
    }
    if (sub === '/oracle') {
      if (m === 'GET') return json(200, { rules: ctx.participants.oracleRules() });
      if (m === 'PUT') {
        const body = this.body(req);
        if ('status' in body) return body;
        const raw = Array.isArray(body.value)
          ? body.value
          : (body.value as { rules?: unknown } | null)?.rules;
        const rules = checkOracleRules(raw);
        if (!rules.ok) return invalid(rules.error);
        ctx.participants.setOracle(rules.value);
        return json(200, { rules: ctx.participants.oracleRules() });
      }
      return methodNotAllowed(`${m} /admin/oracle is not allowed (GET, PUT)`);
    }
    return errorResponse('3002', `unknown admin path ${m} ${sub.slice(0, 80)}`);
  }

  private body(req: SimRequest): { value: unknown } | SimResponse {
    const p = parseJson(req.body);
    if (!p.ok) return errorResponse('3101', `body is not valid JSON: ${p.error}`);
    return { value: p.value };
  }

  private participants(): unknown[] {
    const ctx = this.parts.hub!.ctx;
    return ctx.participants.list().map((p) => ({
      fspId: p.fspId,
      endpoint: p.endpoint ?? null,
      callbackBaseUrl: ctx.participants.baseUrl(p.fspId) ?? null,
      simulated: p.endpoint === undefined,
      active: p.active,
      placement: p.placement,
      accounts: [...p.accounts.values()].map((a) => ({
        currency: a.currency,
        position: formatUnits(a.position),
        liquidity: formatUnits(a.liquidity),
        ndc: formatUnits(a.ndc),
      })),
    }));
  }

  /** The reconciliation report. */
  ledger(): unknown {
    const { hub, faults, relay, transport } = this.parts;
    const ctx = hub!.ctx;
    const c = ctx.ledger.counters;
    // Keyed by participant names, which are input: built with Object.fromEntries, which defines
    // own properties, so a participant named `__proto__` or `constructor` is listed like any other.
    const positions = Object.fromEntries(
      ctx.participants.list().map((p) => [
        p.fspId,
        Object.fromEntries(
          [...p.accounts.values()].map((a) => [
            a.currency,
            {
              position: formatUnits(a.position),
              liquidity: formatUnits(a.liquidity),
              ndc: formatUnits(a.ndc),
            },
          ]),
        ),
      ]),
    );
    const dfsps = Object.fromEntries([...this.parts.dfsps()].map((d) => [d.fspId, { ...d.counters }]));
    return {
      transfers: {
        received: c.received,
        final: { ...c.final },
        inFlight: c.received - c.final.COMMITTED - c.final.ABORTED - c.evictedInFlight,
        abortedByCode: { ...c.abortedByCode },
        syncRejected: { ...c.syncRejected },
        duplicatePrepare: { ...c.duplicatePrepare },
        duplicateFulfil: { ...c.duplicateFulfil },
        rejectIgnored: c.rejectIgnored,
        reservedV10Dropped: c.reservedV10Dropped,
        unknownTransferCallbacks: c.unknownTransferCallbacks,
        lateErrors: c.lateErrors,
        retained: ctx.ledger.size,
        retainedByState: ctx.ledger.statesRetained(),
        evicted: c.evicted,
        evictedInFlight: c.evictedInFlight,
      },
      positions,
      callbacks: {
        hubSent: ctx.counters.sent,
        undeliverable: ctx.counters.undeliverable,
        lost: faults.counters.callbacksLost,
        duplicated: faults.counters.callbacksDuplicated,
        transport: { ...transport.counters },
      },
      faults: {
        name: faults.profile.name ?? 'custom',
        injectedErrors: { ...faults.counters.injectedErrors },
        queueRejected: faults.counters.queueRejected,
      },
      dfsps,
      relay: relay ? relay.stats() : null,
    };
  }
}
