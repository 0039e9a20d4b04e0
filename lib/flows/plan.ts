/**
 * What the flows precompute once per VU, in the init context: the weighted pair picker, one header
 * factory per pair and resource (their constant headers are built and checked once), the ILP
 * material builder, and the URLs. Per iteration a flow then only draws ids, dates and the pair.
 */

import { type MsisdnRange, PairPicker } from '../config/pool.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { CryptoProvider } from '../protocol/crypto.ts';
import { fspiopHeaders, type HeaderFactory } from '../protocol/headers.ts';
import { conditionFromFulfilment } from '../protocol/ilp.ts';
import {
  type FixedIlp,
  type FixedIlpSpec,
  fixedIlpComputer,
  fixedIlpPairs,
  fixedMaterialBuilder,
  type IlpPair,
  type TransferMaterialBuilder,
  type TransferMaterialConfig,
  transferMaterialBuilder,
} from '../protocol/material.ts';

export interface PairHeaders {
  /** POST /transfers (Destination = payee). */
  transfers: HeaderFactory;
  /** POST /quotes (Destination = payee). */
  quotes: HeaderFactory;
  /** GET /parties (no Destination: the hub's account lookup finds the FSP). */
  parties: HeaderFactory;
}

export interface FlowPlan {
  config: RunConfig;
  picker: PairPicker;
  /** Per pair index. */
  headers: PairHeaders[];
  msisdn: ReadonlyMap<string, MsisdnRange>;
  material: TransferMaterialBuilder;
  urls: {
    transfers: string;
    quotes: string;
    parties: string;
    relay: string;
    outbound: string;
  };
  /** Transfer expiration = send time + this, ms: past TIMEOUT_MS, so the client gives up first. */
  expiryMs: number;
  /** Header factories for payer → payee routes outside the pool (the FSP a lookup named), by `payer>payee`. */
  routes: Map<string, PairHeaders>;
}

/** Most routes outside the pool whose headers are kept (further ones are built per request). */
const MAX_ROUTES = 64;

function pairHeaders(config: RunConfig, payer: string, payee: string): PairHeaders {
  const { fspiopVersion: version, api } = config;
  return {
    transfers: fspiopHeaders({ resource: 'transfers', version, api, source: payer, destination: payee }),
    quotes: fspiopHeaders({ resource: 'quotes', version, api, source: payer, destination: payee }),
    parties: fspiopHeaders({ resource: 'parties', version, api, source: payer }),
  };
}

/**
 * The headers for a payer → payee route: the pool pair's own, or (e2e, where the account lookup
 * says which FSP owns the payee) those of that route, built once.
 */
export function routeHeaders(plan: FlowPlan, pairIndex: number, payee: string): PairHeaders {
  const pair = plan.picker.pairs[pairIndex]!;
  if (payee === pair.payee) return plan.headers[pairIndex]!;
  const key = `${pair.payer}>${payee}`;
  let h = plan.routes.get(key);
  if (!h) {
    h = pairHeaders(plan.config, pair.payer, payee);
    if (plan.routes.size < MAX_ROUTES) plan.routes.set(key, h);
  }
  return h;
}

/** Margin between the client's TIMEOUT_MS and the transfer's expiration at the hub. */
export const EXPIRY_MARGIN_MS = 10_000;

/**
 * The fixed-mode packets of a run: one per pair of the pool, at the run's amount and currency, in
 * the pool's pair order (the index a transfer draws).
 */
export function fixedIlpSpecs(config: RunConfig): FixedIlpSpec[] {
  return config.pool.pairs.map((p) => ({
    payerFsp: p.payer,
    payeeFsp: p.payee,
    amount: config.amount,
    currency: config.currency,
  }));
}

/**
 * How a run computes its fixed packets (secret, version, one party per FSP: the first MSISDN of
 * its range). The coordinator and a VU without setup data compute with it, so they agree.
 */
export function fixedIlpConfig(
  config: RunConfig,
  crypto: CryptoProvider,
): Omit<TransferMaterialConfig, 'ilp'> {
  return {
    crypto,
    secret: config.ilpSecret,
    ilpVersion: config.ilpVersion,
    fixedMsisdn: new Map(config.pool.dfsps.map((d) => [d.id, d.msisdn.first] as const)),
  };
}

/**
 * The fixed-mode ILP pairs, computed (and their hashing checked) once for the whole run: one per pair of the pool
 * (in its order), naming that pair's FSPs and the run's amount. Only packet and condition travel
 * to the load VUs (the setup data is copied into every VU).
 */
export function checkedFixedIlp(config: RunConfig, crypto: CryptoProvider): IlpPair[] {
  return fixedIlpPairs(fixedIlpConfig(config, crypto), fixedIlpSpecs(config)).map((f, i) => {
    // A crypto provider that hashes wrong (k6's native paths) would fail every transfer: stop here.
    if (conditionFromFulfilment(f.fulfilment!, crypto) !== f.condition) {
      throw new Error(`fixed ILP pair ${i}: SHA-256 of its fulfilment is not its condition`);
    }
    return { ilpPacket: f.ilpPacket, condition: f.condition };
  });
}

/**
 * `fixedIlp`: in fixed ILP mode, the pairs already computed and checked with `fixedIlpPairs` for
 * `fixedIlpSpecs(config)`, by pair index (k6: by the coordinating VU, handed over in the setup
 * data), used as they are; without them each pair's packet is computed on its first transfer.
 */
export function prepareFlows(
  config: RunConfig,
  crypto: CryptoProvider,
  fixedIlp?: readonly IlpPair[],
): FlowPlan {
  const picker = new PairPicker(config.pool.pairs);
  const headers = config.pool.pairs.map((p) => pairHeaders(config, p.payer, p.payee));
  const msisdn = new Map(config.pool.dfsps.map((d) => [d.id, d.msisdn] as const));
  const material =
    config.ilpMode === 'fixed'
      ? fixedFlowMaterial(config, crypto, fixedIlp)
      : transferMaterialBuilder({
          crypto,
          secret: config.ilpSecret,
          ilp: config.ilpMode,
          ilpVersion: config.ilpVersion,
        });
  return {
    config,
    picker,
    headers,
    msisdn,
    material,
    urls: {
      transfers: `${config.hubUrl}/transfers`,
      quotes: `${config.hubUrl}/quotes`,
      parties: `${config.hubUrl}/parties`,
      relay: config.relayUrl,
      outbound: config.outboundUrl,
    },
    expiryMs: config.timeoutMs + EXPIRY_MARGIN_MS,
    routes: new Map(),
  };
}

function fixedFlowMaterial(
  config: RunConfig,
  crypto: CryptoProvider,
  given: readonly IlpPair[] | undefined,
): TransferMaterialBuilder {
  if (!given) return transferMaterialBuilder({ ...fixedIlpConfig(config, crypto), ilp: 'fixed' });
  const specs = fixedIlpSpecs(config);
  if (given.length !== specs.length) {
    throw new Error(
      `fixed ILP: ${given.length} packet(s) handed over for the ${specs.length} pair(s) of the pool`,
    );
  }
  const pairs: FixedIlp[] = specs.map((s, i) => ({
    ...s,
    ilpPacket: given[i]!.ilpPacket,
    condition: given[i]!.condition,
  }));
  // Only a transfer outside the pool's pairs at the run's amount (none in the kit's flows) computes.
  let compute: ((s: FixedIlpSpec) => FixedIlp) | undefined;
  return fixedMaterialBuilder(pairs, (s) => {
    compute ??= fixedIlpComputer(fixedIlpConfig(config, crypto));
    return compute(s);
  });
}
