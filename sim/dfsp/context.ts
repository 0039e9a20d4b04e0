/**
 * What all simulated DFSPs of one process share: options, the hub's URLs, timers, transport,
 * faults and (payer side) the relay.
 */
import type { IlpVersion } from '../../lib/protocol/ilp.ts';
import type { Relay } from '../relay/relay.ts';
import type { Faults } from '../runtime/faults.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Transport } from '../runtime/transport.ts';

export interface DfspOptions {
  /** HMAC key derived from the ILP secret (`ilpSecretKey`). */
  ilpKey: Uint8Array;
  /** Fulfil with transferState RESERVED (asks the hub for a commit PATCH). Default false. */
  reserveNotification: boolean;
  /**
   * Version of the ILP packets payees build for quotes (the SDK's ILP_VERSION; default v1). A
   * transfer is fulfilled in the version of its own packet, whatever this says.
   */
  ilpVersion: IlpVersion;
  /** Payee checks that the prepare's condition matches its ILP packet (SDK CHECK_ILP). Default true. */
  checkIlp: boolean;
  /** Quote expiry when the quote request has none, seconds. */
  quoteExpirySeconds: number;
  /** Prepare expiry of outbound-API transfers, seconds (SDK EXPIRY_SECONDS). */
  transferExpirySeconds: number;
  /** How long the outbound API waits for each callback, ms (SDK REQUEST_PROCESSING_TIMEOUT_SECONDS). */
  outboundTimeoutMs: number;
  /** Max concurrent outbound-API waits per DFSP. */
  maxPendingOutbound: number;
  /** Payee memory of answered prepares (ids), per generation; two generations are kept. */
  payeeMemory: number;
}

export interface HubUrls {
  transfers: string;
  quotes: string;
  parties: string;
}

/** What all simulated DFSPs of one process share. */
export class DfspContext {
  hubUrls: HubUrls = { transfers: '', quotes: '', parties: '' };

  constructor(
    readonly options: DfspOptions,
    readonly scheduler: Scheduler,
    readonly transport: Transport,
    readonly faults: Faults,
    /** The relay fed by payer callbacks; undefined for a payee-only service. */
    readonly relay: Relay | undefined,
  ) {}
}
