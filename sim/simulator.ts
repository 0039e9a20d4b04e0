/**
 * `startSimulator(options)`: composes the hub, the simulated DFSPs, the relay and the admin API in
 * one of two deployment shapes and starts listening.
 *
 * - all-in-one: one port; hub <-> DFSP hops are in-process (sim/runtime/transport.ts), which is
 *   what makes 2000+ transfers/s possible on a small machine next to k6.
 * - separate: hub, payer DFSP (+ relay) and payee DFSP each on their own port with real HTTP
 *   between them; `services` picks a subset, e.g. only the DFSP side next to a real hub (`hubUrl`).
 *
 * With `tls` every listener serves HTTPS (mutual TLS when it has a CA), and the simulator's own
 * https calls present the same certificate and trust that CA next to Node's bundled ones.
 *
 * With `authToken` the admin API, the relay and the DFSP callbacks require credentials
 * (sim/runtime/auth.ts); the hub then calls the simulated DFSPs at `/cb/<callback key>/dfsp/<fspId>`,
 * the base URL `callbackUrl(fspId)` returns for registering them in a real hub. Listening beyond
 * loopback without a token or mutual TLS is refused (`exposureError`).
 */
import { rootCertificates } from 'node:tls';
import { ilpSecretKey } from '../lib/protocol/ilp.ts';
import { Admin } from './admin.ts';
import { DfspContext, type DfspOptions } from './dfsp/context.ts';
import { DfspSim } from './dfsp/dfsp.ts';
import { HubContext } from './hub/context.ts';
import { Hub } from './hub/hub.ts';
import { Ledger } from './hub/ledger.ts';
import { MAX_PARTICIPANTS, type ParticipantConfig, Participants } from './hub/participants.ts';
import { warmFspiopSchemas, warmIsoSchemas } from './hub/schemas.ts';
import { defaultOptions, exposureError, type SimulatorOptions } from './options.ts';
import { Relay } from './relay/relay.ts';
import { Auth } from './runtime/auth.ts';
import { Faults } from './runtime/faults.ts';
import { Scheduler } from './runtime/scheduler.ts';
import { Transport } from './runtime/transport.ts';
import { createRouter, type Listening, listen } from './server.ts';

export type { SimulatorOptions } from './options.ts';

export interface SimulatorHandle {
  shape: SimulatorOptions['shape'];
  /** Base URL of the FSPIOP hub API (all-in-one: the one URL of everything). */
  url: string;
  /** Per-service base URLs (all-in-one: all the same). */
  urls: { hub?: string; payer?: string; payee?: string };
  /** Relay base URL (`.../relay`), when this process runs the payer side. */
  relayUrl?: string;
  /** Outbound API base URL of a simulated DFSP, when hosted here. */
  outboundUrl(fspId: string): string | undefined;
  /**
   * The callback base URL of a simulated DFSP hosted here, as a hub must call it: with a shared
   * secret, `<origin>/cb/<callback key>/dfsp/<fspId>`; without, `<origin>/dfsp/<fspId>`.
   */
  callbackUrl(fspId: string): string | undefined;
  hub: Hub | undefined;
  relay: Relay | undefined;
  faults: Faults;
  /** The line printed at startup: what listens where. */
  startupLine: string;
  close(): Promise<void>;
}

/** Deep-enough merge of partial options over the defaults. */
function resolveOptions(partial: Partial<SimulatorOptions>): SimulatorOptions {
  const d = defaultOptions();
  return {
    ...d,
    ...partial,
    transferRetention: { ...d.transferRetention, ...partial.transferRetention },
    relay: { ...d.relay, ...partial.relay },
  };
}

export async function startSimulator(partial: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  const o = resolveOptions(partial);
  const exposed = exposureError(o);
  if (exposed) throw new Error(exposed);
  const auth = new Auth(o.authToken, o.tls?.ca !== undefined);
  const scheduler = new Scheduler();
  const transport = new Transport(
    scheduler,
    o.callbackTimeoutMs,
    o.tls && {
      cert: o.tls.cert,
      key: o.tls.key,
      ...(o.tls.ca ? { ca: [...rootCertificates, o.tls.ca] } : {}),
    },
  );
  const faults = new Faults(o.faults);
  const dfspOptions: DfspOptions = {
    ilpKey: ilpSecretKey(o.ilpSecret),
    reserveNotification: o.reserveNotification,
    checkIlp: o.checkIlp,
    ilpVersion: o.ilpVersion,
    quoteExpirySeconds: o.quoteExpirySeconds,
    transferExpirySeconds: o.transferExpirySeconds,
    outboundTimeoutMs: o.outboundTimeoutMs,
    maxPendingOutbound: 20_000,
    payeeMemory: 100_000,
  };
  const separate = o.shape === 'separate';
  const runs = (s: 'hub' | 'payer' | 'payee'): boolean => !separate || o.services.includes(s);

  let hub: Hub | undefined;
  if (runs('hub')) {
    warmFspiopSchemas();
    if (o.warmIso) warmIsoSchemas();
    const participants = new Participants(o.participants, o.oracle);
    const ledger = new Ledger(o.transferRetention);
    const ctx = new HubContext(
      {
        hubName: o.hubName,
        contentVersion: o.hubContentVersion,
        sendConfirmationToPayee: o.sendConfirmationToPayee,
        onUsTransfers: o.onUsTransfers,
        tracestateVendor: o.tracestateVendor,
      },
      participants,
      ledger,
      faults,
      scheduler,
      transport,
    );
    hub = new Hub(ctx);
  }

  const relay = runs('payer') ? new Relay(o.relay, scheduler) : undefined;
  // A callback for a transfer the hub (in this process) never saw is forged: counted, not delivered.
  if (relay && hub) {
    const ledger = hub.ctx.ledger;
    relay.knownTransfer = (id) => ledger.get(id) !== undefined;
  }
  const payerCtx = new DfspContext(dfspOptions, scheduler, transport, faults, relay);
  const payeeCtx = separate
    ? new DfspContext(dfspOptions, scheduler, transport, faults, undefined)
    : payerCtx;
  const payerDfsps = new Map<string, DfspSim>();
  const payeeDfsps = separate ? new Map<string, DfspSim>() : payerDfsps;

  const host = (c: ParticipantConfig): void => {
    if (c.endpoint) return;
    const placement = c.placement ?? 'payee';
    if (!separate || placement === 'payer') {
      if (runs('payer') && !payerDfsps.has(c.fspId)) payerDfsps.set(c.fspId, new DfspSim(c.fspId, payerCtx));
    } else if (runs('payee') && !payeeDfsps.has(c.fspId)) {
      payeeDfsps.set(c.fspId, new DfspSim(c.fspId, payeeCtx));
    }
  };
  for (const c of o.participants) host(c);

  const allDfsps = function* (): Iterable<DfspSim> {
    yield* payerDfsps.values();
    if (payeeDfsps !== payerDfsps) yield* payeeDfsps.values();
  };
  const admin = (withHub: boolean) =>
    new Admin({
      hub: withHub ? hub : undefined,
      faults,
      relay,
      transport,
      dfsps: allDfsps,
      onParticipantAdded: host,
    });

  const taskErrors = (): number => scheduler.taskErrors;
  /** Every bounded structure and what it holds (`/health`), for the services of one listener. */
  const bounds = (withHub: boolean, dfsps: () => Iterable<DfspSim>, withRelay: boolean) => (): unknown => {
    const out: Record<string, unknown> = {};
    if (withHub && hub) {
      out.ledger = hub.ctx.ledger.bounds();
      out.participants = { count: hub.ctx.participants.size, max: MAX_PARTICIPANTS };
    }
    if (withRelay && relay) {
      const r = relay.bounds();
      out.relayOutcomes = r.outcomes;
      out.relayPhases = r.phases;
      out.relayWaiters = r.waiters;
    }
    let ids = 0;
    let idsMax = 0;
    let waits = 0;
    let waitsMax = 0;
    for (const d of dfsps()) {
      ids += d.payeeIds.size;
      idsMax += d.payeeIds.max;
      waits += d.pendingWaits;
      waitsMax += dfspOptions.maxPendingOutbound;
    }
    out.payeeIds = { retained: ids, max: idsMax };
    out.outboundWaits = { pending: waits, max: waitsMax };
    out.timers = { scheduled: scheduler.size };
    return out;
  };
  const listening: Listening[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(listening.map((l) => l.close()));
    scheduler.close();
    transport.close();
  };

  let urls: SimulatorHandle['urls'];
  let url: string;
  try {
    if (!separate) {
      const route = createRouter({
        service: 'all-in-one',
        hub,
        dfsps: payerDfsps,
        relay,
        admin: admin(true),
        auth,
        taskErrors,
        bounds: bounds(true, allDfsps, true),
      });
      const l = await listen(o.host, o.port, o.maxBodyBytes, route, o.tls);
      listening.push(l);
      transport.setLocal(l.origin, route);
      urls = { hub: l.origin, payer: l.origin, payee: l.origin };
      url = l.origin;
    } else {
      urls = {};
      if (runs('hub')) {
        const l = await listen(
          o.host,
          o.hubPort,
          o.maxBodyBytes,
          createRouter({
            service: 'hub',
            hub,
            dfsps: new Map(),
            admin: admin(true),
            auth,
            taskErrors,
            bounds: bounds(true, () => [], false),
          }),
          o.tls,
        );
        listening.push(l);
        urls.hub = l.origin;
      }
      if (runs('payer')) {
        const route = createRouter({
          service: 'payer',
          dfsps: payerDfsps,
          relay,
          admin: runs('hub') ? undefined : admin(false),
          auth,
          taskErrors,
          bounds: bounds(false, () => payerDfsps.values(), true),
        });
        const l = await listen(o.host, o.payerPort, o.maxBodyBytes, route, o.tls);
        listening.push(l);
        urls.payer = l.origin;
      }
      if (runs('payee')) {
        const route = createRouter({
          service: 'payee',
          dfsps: payeeDfsps,
          admin: runs('hub') || runs('payer') ? undefined : admin(false),
          auth,
          taskErrors,
          bounds: bounds(false, () => payeeDfsps.values(), false),
        });
        const l = await listen(o.host, o.payeePort, o.maxBodyBytes, route, o.tls);
        listening.push(l);
        urls.payee = l.origin;
      }
      url = urls.hub ?? urls.payer ?? urls.payee ?? '';
    }
  } catch (e) {
    await closeAll();
    throw e;
  }

  // The callback endpoints of the simulated DFSPs, with the callback key in the path when there is
  // a shared secret (the hub calls them like any hub would: it cannot add our credentials).
  const keyPrefix = auth.callbackKey === undefined ? '' : `/cb/${auth.callbackKey}`;
  const callbackUrl = (fspId: string): string | undefined => {
    if (payerDfsps.has(fspId) && urls.payer) return `${urls.payer}${keyPrefix}/dfsp/${fspId}`;
    if (payeeDfsps.has(fspId) && urls.payee) return `${urls.payee}${keyPrefix}/dfsp/${fspId}`;
    return undefined;
  };
  if (hub) hub.ctx.participants.localBase = callbackUrl;
  if (hub) {
    const unreachable = hub.ctx.participants
      .list()
      .filter((p) => hub.ctx.participants.baseUrl(p.fspId) === undefined);
    if (unreachable.length > 0) {
      o.log(
        `sim: warning: no callback endpoint for ${unreachable.map((p) => p.fspId).join(', ')} ` +
          '(not simulated by this process and registered without an endpoint): messages to them are counted undeliverable',
      );
    }
  }
  const hubBase = o.hubUrl ?? urls.hub ?? '';
  const hubUrls = { transfers: hubBase, quotes: o.quotesUrl ?? hubBase, parties: o.partiesUrl ?? hubBase };
  payerCtx.hubUrls = hubUrls;
  payeeCtx.hubUrls = hubUrls;

  const sweeper = setInterval(() => {
    const now = Date.now();
    hub?.ctx.ledger.sweep(now);
    relay?.sweep(now);
  }, 1000);
  sweeper.unref();

  const relayUrl = urls.payer ? `${urls.payer}/relay` : undefined;
  const outboundUrl = (fspId: string): string | undefined =>
    payerDfsps.has(fspId) && urls.payer
      ? `${urls.payer}/dfsp/${fspId}/outbound`
      : payeeDfsps.has(fspId) && urls.payee
        ? `${urls.payee}/dfsp/${fspId}/outbound`
        : undefined;
  const faultName = faults.profile.name ?? 'custom';
  const tlsNote =
    (o.tls ? (o.tls.ca ? ' | mutual TLS: client certificates required' : ' | TLS') : '') +
    (auth.tokenRequired
      ? ` | auth: bearer credentials required on admin, relay and DFSP callbacks${
          urls.hub
            ? ''
            : ` (register these callback URLs in the hub: ${[...payerDfsps.keys(), ...(payeeDfsps === payerDfsps ? [] : payeeDfsps.keys())].map((f) => `${f} ${callbackUrl(f)}`).join(', ')})`
        }`
      : '');
  let startupLine: string;
  if (!separate) {
    startupLine =
      `sim: all-in-one hub + DFSPs (${[...payerDfsps.keys()].join(', ')}) + relay listening on ${url}` +
      ` | relay ${relayUrl} | outbound ${url}/dfsp/<fspId>/outbound | admin ${url}/admin | faults: ${faultName}${tlsNote}`;
  } else {
    const parts: string[] = [];
    if (urls.hub) parts.push(`hub ${urls.hub} (admin ${urls.hub}/admin)`);
    if (urls.payer)
      parts.push(
        `payer DFSP ${[...payerDfsps.keys()].join(', ') || '(none)'} + relay ${urls.payer} (relay ${relayUrl})`,
      );
    if (urls.payee) parts.push(`payee DFSP ${[...payeeDfsps.keys()].join(', ') || '(none)'} ${urls.payee}`);
    if (!urls.hub) parts.push(`talking to hub ${hubBase}`);
    startupLine = `sim: separate services | ${parts.join(' | ')} | faults: ${faultName}${tlsNote}`;
  }

  return {
    shape: o.shape,
    url,
    urls,
    relayUrl,
    outboundUrl,
    callbackUrl,
    hub,
    relay,
    faults,
    startupLine,
    close: async () => {
      clearInterval(sweeper);
      await closeAll();
    },
  };
}
