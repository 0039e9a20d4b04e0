/**
 * Who a request comes from, for the parts of the simulator that must not be open to anyone who can
 * reach the port: the admin API, the callback relay and the DFSP callback endpoints.
 *
 * - No shared secret and no client-certificate CA (the loopback default): everyone is the operator,
 *   as before. The simulator refuses to listen on any other address in that state (sim/options.ts).
 * - Mutual TLS only (`--tls-ca`): the TLS layer has already refused every client without a
 *   certificate of that CA, so whoever reaches a handler is the operator.
 * - A shared secret (`--auth-token`): every request to those parts carries
 *   `Authorization: Bearer <credential>`, one of
 *   - the secret itself: the **operator** (everything, including the admin API);
 *   - a **runner credential** `r<n>.<base64url(HMAC-SHA256(secret, "mojaloop-k6 relay runner <n>"))>`
 *     (lib/protocol/relay.ts, `relayRunnerCredential`): the relay, for runner `n`'s outcomes only;
 *   - the **callback key** base64url(HMAC-SHA256(secret, "mojaloop-k6 dfsp callbacks")): the DFSP
 *     callback endpoints only. A hub cannot add headers to its callbacks, so the key may instead be
 *     the first path segments, `/cb/<key>/dfsp/<fspId>/...`: that is the callback base URL to
 *     register in a real hub (the simulator prints it), and what its own hub uses.
 *   Derived credentials cannot be turned back into the secret, so a runner or a hub holding one
 *   cannot reach the admin API or another runner's outcomes.
 *
 * Comparisons are constant-time; derived credentials are computed once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RELAY_RUNNER_CREDENTIAL, relayRunnerCredential } from '../../lib/protocol/relay.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { header, type SimRequest } from './message.ts';

export type Principal =
  | { readonly kind: 'operator' }
  | { readonly kind: 'runner'; readonly runner: number }
  | { readonly kind: 'callback' };

export const OPERATOR: Principal = Object.freeze({ kind: 'operator' });
const CALLBACK: Principal = Object.freeze({ kind: 'callback' });

/** What a shared secret may look like: 16..256 characters of the bearer-token alphabet (RFC 6750). */
export const AUTH_TOKEN = /^[A-Za-z0-9._~+/-]{16,256}={0,2}$/;

/** The callback key derived from a shared secret (see the header). */
export function callbackKey(token: string): string {
  return createHmac('sha256', token).update('mojaloop-k6 dfsp callbacks').digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Auth {
  /** The callback key, when there is a shared secret. */
  readonly callbackKey: string | undefined;
  private readonly runnerKeys = new Map<number, string>();

  constructor(
    private readonly token: string | undefined,
    /** Client certificates are required by the TLS layer (a CA was given). */
    readonly mutualTls = false,
  ) {
    this.callbackKey = token === undefined ? undefined : callbackKey(token);
  }

  /** Whether requests to the protected parts are checked at all. */
  get required(): boolean {
    return this.token !== undefined || this.mutualTls;
  }

  /** Whether a shared secret is configured (credentials are checked on every protected request). */
  get tokenRequired(): boolean {
    return this.token !== undefined;
  }

  private runnerKey(runner: number): string {
    let k = this.runnerKeys.get(runner);
    if (k === undefined) {
      k = relayRunnerCredential(this.token!, runner, nodeCrypto);
      this.runnerKeys.set(runner, k);
    }
    return k;
  }

  /**
   * Who sent `req`: the operator when no secret is configured (loopback or mutual TLS), else the
   * principal its bearer credential names; undefined when it has none or a wrong one.
   */
  identify(req: SimRequest): Principal | undefined {
    if (this.token === undefined) return OPERATOR;
    const h = header(req, 'authorization');
    if (h === undefined || h.length > 300) return undefined;
    const m = /^Bearer +(\S+) *$/i.exec(h);
    if (!m) return undefined;
    return this.principalOf(m[1]!);
  }

  /** The principal a credential stands for (undefined: not a valid one). */
  principalOf(credential: string): Principal | undefined {
    if (this.token === undefined) return OPERATOR;
    const r = RELAY_RUNNER_CREDENTIAL.exec(credential);
    if (r) {
      const runner = Number(r[1]);
      if (runner > 1023) return undefined;
      return same(credential, this.runnerKey(runner)) ? { kind: 'runner', runner } : undefined;
    }
    if (same(credential, this.token)) return OPERATOR;
    if (same(credential, this.callbackKey!)) return CALLBACK;
    return undefined;
  }
}
