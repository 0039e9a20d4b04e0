/**
 * What the hub's services (transfers, parties, quotes) share: configuration, registry, ledger,
 * faults, timers, and `deliver`, the one way a hub message reaches a DFSP (where callback-loss and
 * duplicate-callback faults apply and undeliverable messages are counted).
 */
import { contentType } from '../../lib/protocol/headers.ts';
import { ISO_TRANSFERS_CONTENT_TYPE } from '../fspiop/iso.ts';
import type { Faults } from '../runtime/faults.ts';
import type { Scheduler } from '../runtime/scheduler.ts';
import type { Transport } from '../runtime/transport.ts';
import type { Ledger } from './ledger.ts';
import type { Participants } from './participants.ts';

export interface HubOptions {
  /** The hub's FSPIOP-Source on callbacks it originates (reference default `Hub`). */
  hubName: string;
  /** Content version of hub-originated callbacks (reference default 2.0). */
  contentVersion: string;
  /** Send the payee a copy of COMMIT/ABORT notifications (reference default true). */
  sendConfirmationToPayee: boolean;
  /** Allow payer = payee (reference default false). */
  onUsTransfers: boolean;
  /** tracestate key of the hub's own member. */
  tracestateVendor: string;
}

export interface HubCounters {
  /** Messages the hub sent to DFSPs. */
  sent: number;
  /** Messages for participants with no callback endpoint (unknown or unregistered source). */
  undeliverable: number;
}

/** Whom a message goes to, for the callback-loss fault (`other` is never dropped). */
export type Recipient = 'payer' | 'payee' | 'other';

export class HubContext {
  readonly counters: HubCounters = { sent: 0, undeliverable: 0 };
  readonly trace: { vendor: string };
  /** FSPIOP Content-Type per resource at `options.contentVersion`, built on first use. */
  private readonly contentTypes = new Map<string, string>();

  constructor(
    readonly options: HubOptions,
    readonly participants: Participants,
    readonly ledger: Ledger,
    readonly faults: Faults,
    readonly scheduler: Scheduler,
    readonly transport: Transport,
  ) {
    this.trace = { vendor: options.tracestateVendor };
  }

  /** Content-Type of a hub-originated callback on `resource`. */
  hubContentType(resource: string, iso = false): string {
    // ISO 20022 callbacks are transfers only, always at version 2.0.
    if (iso) return ISO_TRANSFERS_CONTENT_TYPE;
    let ct = this.contentTypes.get(resource);
    if (ct === undefined) {
      ct = contentType(resource, this.options.contentVersion);
      this.contentTypes.set(resource, ct);
    }
    return ct;
  }

  /**
   * Sends a message to a participant's callback endpoint. `duplicable`: a transfer callback to the
   * payer that the duplicate-callback fault may send twice.
   */
  deliver(
    to: string | undefined,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    recipient: Recipient,
    duplicable = false,
  ): void {
    const base = this.participants.baseUrl(to);
    if (!base) {
      this.counters.undeliverable++;
      return;
    }
    if (recipient !== 'other' && this.faults.loseCallback(recipient)) return;
    const msg = { method, url: base + path, headers, body };
    this.counters.sent++;
    this.transport.send(msg);
    if (duplicable && recipient === 'payer' && this.faults.duplicateCallback()) {
      this.counters.sent++;
      this.transport.send(msg);
    }
  }
}
