/**
 * What the flows precompute once per VU, in the init context: the weighted pair picker, one header
 * factory per pair and resource (their constant headers are built and checked once), the ILP
 * material builder, and the URLs. Per iteration a flow then only draws ids, dates and the pair.
 */

import { type MsisdnRange, PairPicker } from '../config/pool.ts';
import type { RunConfig } from '../config/run-config.ts';
import type { CryptoProvider } from '../protocol/crypto.ts';
import { fspiopHeaders, type HeaderFactory } from '../protocol/headers.ts';
import {
  type FixedIlp,
  fixedMaterialBuilder,
  type TransferMaterialBuilder,
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
}

/** Margin between the client's TIMEOUT_MS and the transfer's expiration at the hub. */
export const EXPIRY_MARGIN_MS = 10_000;

/**
 * `fixedIlp`: in fixed ILP mode, a pair already computed and checked with `fixedIlpPair` (k6: by the
 * coordinating VU, handed over in the setup data), used as is; without it the pair is computed here.
 */
export function prepareFlows(config: RunConfig, crypto: CryptoProvider, fixedIlp?: FixedIlp): FlowPlan {
  const picker = new PairPicker(config.pool.pairs);
  const api = config.api;
  const version = config.fspiopVersion;
  const headers = config.pool.pairs.map((p) => ({
    transfers: fspiopHeaders({ resource: 'transfers', version, api, source: p.payer, destination: p.payee }),
    quotes: fspiopHeaders({ resource: 'quotes', version, api, source: p.payer, destination: p.payee }),
    parties: fspiopHeaders({ resource: 'parties', version, api, source: p.payer }),
  }));
  const msisdn = new Map(config.pool.dfsps.map((d) => [d.id, d.msisdn] as const));
  const material =
    config.ilpMode === 'fixed' && fixedIlp
      ? fixedMaterialBuilder(fixedIlp)
      : transferMaterialBuilder({ crypto, secret: config.ilpSecret, ilp: config.ilpMode });
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
  };
}
