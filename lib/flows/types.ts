/**
 * The sans-IO flow contract. A flow is a synchronous generator that yields the HTTP requests it
 * needs, receives each response, and returns a FlowResult. It builds requests and interprets
 * responses only through lib/protocol, and never touches a clock, randomness or the network
 * itself: everything comes through the FlowContext. So one implementation serves k6 (lib/k6/
 * drives it with `k6/http`, synchronously) and Node (node/driver.ts drives it with node/http.ts).
 */
import type { CryptoProvider } from '../protocol/crypto.ts';
import type { HttpRequest, HttpResponse } from '../protocol/http.ts';
import type { TransferOutcome } from '../protocol/outcome.ts';

/** What a flow yields: one HTTP exchange to perform. */
export type FlowStep = HttpRequest;

export type Flow<R> = Generator<FlowStep, R, HttpResponse>;

export type Phase = 'parties' | 'quotes' | 'transfers';

/** What the flows need from their host. */
export interface FlowContext {
  /** Wall-clock ms since the epoch (k6 and Node: Date.now). */
  now(): number;
  /** Uniform in [0, 1): pair and MSISDN choice (not security relevant). */
  random(): number;
  crypto: CryptoProvider;
  /** This k6 process's runner index (embedded in every id). */
  runner: number;
  /**
   * Called once per flow when its transfer id is drawn, before the first request. The k6 adapter
   * counts the transfer as sent here, so an iteration an early stop cuts short is still counted.
   */
  started?(transferId: string): void;
}

/** Collect mode: the outcome will be read from the relay by the collector. */
export interface PendingOutcome {
  kind: 'pending';
  /** Why no final outcome yet: the hub accepted (202), or the POST failed in transport. */
  reason: 'accepted' | 'transport';
}

export interface FlowResult {
  /** The transfer's id: metadata for samples, never a tag. */
  transferId: string;
  /** When the transfer's first request was sent, ms since the epoch. */
  startedAtMs: number;
  /** Whether the hub (or DFSP API) accepted the transfer request synchronously. */
  accepted: boolean;
  outcome: TransferOutcome | PendingOutcome;
  /** The phase in which the flow ended (the failing one, or `transfers`). */
  phase: Phase;
  /** First send to final outcome, ms; undefined when pending or timed out. */
  e2eMs: number | undefined;
  /** Duration of each completed phase, request sent to its callback (or sync answer), ms. */
  phaseMs: Partial<Record<Phase, number>>;
  /** The final outcome arrived, but after TIMEOUT_MS: it counts as timed out (and late). */
  late?: boolean;
  /** Why the flow ended as it did, when that is not obvious from the outcome (relay errors...). */
  note?: string;
}
