/**
 * Simulator options: defaults, and parsing from the command line and environment with errors that
 * name the flag (or variable) and what was expected.
 *
 * Environment: SIM_HOST, SIM_PORT, SIM_SHAPE, SIM_FAULTS, SIM_ILP_SECRET, SIM_ILP_VERSION,
 * SIM_TLS_CERT, SIM_TLS_KEY, SIM_TLS_CA, SIM_AUTH_TOKEN, SIM_AUTH_TOKEN_FILE. Flags override them.
 *
 * Exposure: listening on anything but a loopback address without a shared secret (`--auth-token`)
 * or mutual TLS (`--tls-ca`) is refused (`exposureError`), because the admin API, the relay and the
 * DFSP callbacks would then be open to every host that can reach the port.
 */

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { IlpVersion } from '../lib/protocol/ilp.ts';
import { parseFlags } from '../node/cli-args.ts';
import { LEDGER_DEFAULT_MAX_BYTES, type RetentionOptions } from './hub/ledger.ts';
import {
  checkOracleRules,
  checkParticipantConfig,
  DEFAULT_ORACLE,
  DEFAULT_PARTICIPANTS,
  MAX_PARTICIPANTS,
  type OracleRule,
  type ParticipantConfig,
} from './hub/participants.ts';
import { RELAY_DEFAULT_MAX_BYTES, RELAY_DEFAULT_PHASE_MAX_BYTES, type RelayOptions } from './relay/relay.ts';
import { AUTH_TOKEN } from './runtime/auth.ts';
import { type FaultProfile, parseFaultProfile } from './runtime/faults.ts';

export type Shape = 'all-in-one' | 'separate';
export type ServiceName = 'hub' | 'payer' | 'payee';

/** HTTPS for every listener of this process (PEM texts), and mutual TLS when `ca` is given. */
export interface SimTlsOptions {
  /** The server certificate (chain); also presented as the client identity on the simulator's own https calls. */
  cert: string;
  key: string;
  /**
   * CA(s) client certificates must chain to: when set, every request (/health too) needs a client
   * certificate, and the simulator's own outgoing https calls trust it next to Node's bundled CAs.
   */
  ca?: string;
}

export interface SimulatorOptions {
  shape: Shape;
  host: string;
  /** All-in-one port (0 = any free port). */
  port: number;
  /** Separate shape: ports of the three services (0 = any). */
  hubPort: number;
  payerPort: number;
  payeePort: number;
  /** Separate shape: which services this process runs. */
  services: ServiceName[];
  /** Separate shape without a local hub: where the DFSP services send FSPIOP requests. */
  hubUrl?: string;
  /** Overrides of hubUrl for GET /parties (account lookup) and POST /quotes (quoting service). */
  partiesUrl?: string;
  quotesUrl?: string;
  participants: ParticipantConfig[];
  oracle: OracleRule[];
  hubName: string;
  /** Content version of hub-originated callbacks. */
  hubContentVersion: '1.0' | '1.1' | '2.0';
  sendConfirmationToPayee: boolean;
  onUsTransfers: boolean;
  ilpSecret: string;
  /** ILP version of the packets payees build for quotes (SDK ILP_VERSION); transfers keep theirs. */
  ilpVersion: IlpVersion;
  /** Payees fulfil with RESERVED (commit notification). */
  reserveNotification: boolean;
  checkIlp: boolean;
  faults: FaultProfile;
  maxBodyBytes: number;
  transferRetention: RetentionOptions;
  relay: RelayOptions;
  outboundTimeoutMs: number;
  quoteExpirySeconds: number;
  transferExpirySeconds: number;
  /** Timeout of hub -> DFSP and DFSP -> hub HTTP calls. */
  callbackTimeoutMs: number;
  /** Compile the ISO 20022 validators at startup (otherwise on first ISO request). */
  warmIso: boolean;
  tracestateVendor: string;
  /** Where the startup line and warnings go. */
  log: (line: string) => void;
  /** HTTPS (and mutual TLS with `ca`) on every listener; plain HTTP when absent. */
  tls?: SimTlsOptions;
  /**
   * Shared secret: the admin API, the relay and the DFSP callback endpoints then require a bearer
   * credential (sim/runtime/auth.ts). Required (or mutual TLS) to listen beyond loopback.
   */
  authToken?: string;
}

export function defaultOptions(): SimulatorOptions {
  return {
    shape: 'all-in-one',
    host: '127.0.0.1',
    port: 4300,
    hubPort: 4301,
    payerPort: 4302,
    payeePort: 4303,
    services: ['hub', 'payer', 'payee'],
    participants: DEFAULT_PARTICIPANTS.map((p) => ({ ...p })),
    oracle: DEFAULT_ORACLE.map((r) => ({ ...r })),
    hubName: 'Hub',
    hubContentVersion: '2.0',
    sendConfirmationToPayee: true,
    onUsTransfers: false,
    ilpSecret: 'mojaloop-sdk',
    ilpVersion: 'v1',
    reserveNotification: false,
    checkIlp: true,
    faults: { name: 'none' },
    maxBodyBytes: 256 * 1024,
    transferRetention: { ttlMs: 300_000, max: 200_000, maxBytes: LEDGER_DEFAULT_MAX_BYTES },
    relay: {
      ttlMs: 300_000,
      max: 200_000,
      maxBytes: RELAY_DEFAULT_MAX_BYTES,
      phaseMaxBytes: RELAY_DEFAULT_PHASE_MAX_BYTES,
      maxWaiters: 20_000,
    },
    outboundTimeoutMs: 30_000,
    quoteExpirySeconds: 60,
    transferExpirySeconds: 60,
    callbackTimeoutMs: 10_000,
    warmIso: true,
    tracestateVendor: 'acmevendor',
    log: (line) => console.log(line),
  };
}

export const USAGE = `Usage: npm run sim -- [options]

  --shape <all-in-one|separate>   deployment shape (env SIM_SHAPE; default all-in-one)
  --host <addr>                   listen address (env SIM_HOST; default 127.0.0.1)
  --port <n>                      all-in-one port (env SIM_PORT; default 4300; 0 = any)
  --hub-port <n> --payer-port <n> --payee-port <n>
                                  separate-shape ports (default 4301, 4302, 4303)
  --services <list>               separate shape: which of hub,payer,payee to run (default all)
  --hub-url <url>                 separate shape: hub the DFSP services talk to (default the local hub)
  --parties-url <url> --quotes-url <url>
                                  account-lookup / quoting service URLs when they differ from --hub-url
  --faults <preset|JSON|@file>    fault profile (env SIM_FAULTS): none, latency, gc-sawtooth, queue,
                                  slow-payee, errors, callback-loss, duplicates, clock-skew
  --participants <JSON|@file>     participant list (default payerfsp, payeefsp in XXX)
  --oracle <JSON|@file>           party -> FSP rules (default MSISDN and ACCOUNT_ID -> payeefsp)
  --secret <s>                    ILP secret (env SIM_ILP_SECRET; default mojaloop-sdk)
  --ilp-version <v1|v4>           ILP version of quote packets (env SIM_ILP_VERSION; default v1, the
                                  SDK's); transfers are fulfilled in their own packet's version
  --reserve                       payees fulfil with RESERVED (hub commits and PATCHes the payee)
  --no-confirmation               do not copy commit/abort notifications to the payee
  --on-us                         allow payer = payee
  --no-check-ilp                  payees do not check the condition against the packet
  --hub-version <1.0|1.1|2.0>     content version of hub-originated callbacks (default 2.0)
  --max-body <bytes>              request body cap (default 262144)
  --transfer-ttl-ms <n> --max-transfers <n> --max-transfer-bytes <n>
                                  ledger retention (default 300000 ms, 200000 transfers, 268435456
                                  estimated heap bytes)
  --relay-ttl-ms <n> --relay-max <n> --relay-max-bytes <n> --relay-phase-max-bytes <n>
                                  relay retention (default 300000 ms, 200000 outcomes and 200000
                                  party/quote callbacks, 67108864 bytes each)
  --outbound-timeout-ms <n>       outbound API callback wait (default 30000)
  --no-warm-iso                   compile the ISO 20022 schemas on first use, not at startup
  --tls-cert <file> --tls-key <file>
                                  serve HTTPS with this PEM certificate and key (env SIM_TLS_CERT,
                                  SIM_TLS_KEY); also the identity of the simulator's own https calls
  --tls-ca <file>                 mutual TLS: require client certificates signed by this PEM CA
                                  (env SIM_TLS_CA; needs --tls-cert and --tls-key)
  --auth-token <secret>           shared secret (16..256 characters of A-Z a-z 0-9 . _ ~ + / -):
                                  the admin API, the relay and the DFSP callbacks then require
                                  Authorization: Bearer <credential> (env SIM_AUTH_TOKEN)
  --auth-token-file <file>        the same, read from a file (env SIM_AUTH_TOKEN_FILE)
                                  Listening beyond loopback (--host) needs one of them or --tls-ca.
  --help                          this text
`;

/** Whether `host` only listens on this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * Why the simulator must not start with these options, or undefined: listening beyond loopback
 * with nothing that authenticates clients (no shared secret, no client-certificate CA).
 */
export function exposureError(o: Pick<SimulatorOptions, 'host' | 'authToken' | 'tls'>): string | undefined {
  if (isLoopbackHost(o.host) || o.authToken !== undefined || o.tls?.ca !== undefined) return undefined;
  return (
    `--host ${o.host}: not a loopback address, and nothing authenticates clients: anyone who can reach ` +
    'the port could reset the ledger, register participants the hub then calls, forge callbacks and ' +
    'drain the relay. Set --auth-token <secret> (or SIM_AUTH_TOKEN, --auth-token-file) and give k6 ' +
    'RELAY_TOKEN, or require client certificates with --tls-ca (with --tls-cert and --tls-key); ' +
    'or listen on 127.0.0.1'
  );
}

/** A shared secret from its flag or variable: the bearer-token alphabet, 16..256 characters. */
export function authTokenArg(name: string, raw: string): Result<string> {
  if (!AUTH_TOKEN.test(raw))
    return {
      ok: false,
      error: `${name}: expected 16..256 characters of A-Z a-z 0-9 . _ ~ + / - (a bearer token), got ${raw.length} characters${/\s/.test(raw) ? ' including white space' : ''}`,
    };
  if (/^r\d{1,4}\./.test(raw))
    return { ok: false, error: `${name}: must not start like a runner credential (r<n>.)` };
  return { ok: true, value: raw };
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function int(name: string, raw: string, min: number, max: number): Result<number> {
  if (!/^\d+$/.test(raw.trim()))
    return { ok: false, error: `${name}: expected an integer ${min}..${max}, got ${JSON.stringify(raw)}` };
  const n = Number(raw);
  if (n < min || n > max)
    return { ok: false, error: `${name}: expected an integer ${min}..${max}, got ${n}` };
  return { ok: true, value: n };
}

function url(name: string, raw: string): Result<string> {
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(raw))
    return { ok: false, error: `${name}: expected an http(s) URL, got ${JSON.stringify(raw)}` };
  return { ok: true, value: raw.replace(/\/+$/, '') };
}

/** JSON given inline or as `@path`. */
function jsonArg(name: string, raw: string): Result<unknown> {
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = readFileSync(raw.slice(1), 'utf8');
    } catch (e) {
      return { ok: false, error: `${name}: cannot read ${raw.slice(1)}: ${(e as Error).message}` };
    }
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `${name}: expected JSON (or @file with JSON): ${(e as Error).message}` };
  }
}

/** A fault profile from a preset name, inline JSON or @file. */
export function faultsArg(name: string, raw: string): Result<FaultProfile> {
  const t = raw.trim();
  const value = t.startsWith('{') || t.startsWith('@') ? jsonArg(name, t) : ({ ok: true, value: t } as const);
  if (!value.ok) return value;
  const p = parseFaultProfile(value.value);
  return p.ok ? p : { ok: false, error: `${name}: ${p.error}` };
}

/**
 * The TLS options from their [flag or variable, file] pairs: all three files read, the PEM blocks
 * checked and the pair loaded once (a key that does not match the certificate is named here, not
 * at the first connection). Half a configuration (a certificate without its key, a CA without
 * both) is refused naming the missing flag.
 */
export function tlsArgs(
  cert: [string, string] | undefined,
  key: [string, string] | undefined,
  ca: [string, string] | undefined,
): Result<SimTlsOptions | undefined> {
  if (!cert && !key && !ca) return { ok: true, value: undefined };
  if (!cert || !key) {
    const [missing, given] = cert
      ? ['--tls-key (or SIM_TLS_KEY)', cert[0]]
      : key
        ? ['--tls-cert (or SIM_TLS_CERT)', key[0]]
        : ['--tls-cert and --tls-key (or SIM_TLS_CERT, SIM_TLS_KEY)', ca![0]];
    return {
      ok: false,
      error: `${missing}: required with ${given} (HTTPS needs both the server certificate and its private key)`,
    };
  }
  const read = (arg: [string, string], block: RegExp, what: string): Result<string> => {
    let text: string;
    try {
      text = readFileSync(arg[1], 'utf8');
    } catch (e) {
      return { ok: false, error: `${arg[0]}: cannot read ${arg[1]}: ${(e as Error).message}` };
    }
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text))
      return {
        ok: false,
        error: `${arg[0]}: ${arg[1]} holds an encrypted private key; decrypt it: openssl pkey -in ${arg[1]} -out key.dec.pem`,
      };
    if (!block.test(text)) return { ok: false, error: `${arg[0]}: ${arg[1]} holds no ${what}` };
    return { ok: true, value: text };
  };
  const certBlock = /-----BEGIN CERTIFICATE-----/;
  const c = read(cert, certBlock, 'PEM certificate ("-----BEGIN CERTIFICATE-----")');
  if (!c.ok) return c;
  const k = read(
    key,
    /-----BEGIN (RSA |EC )?PRIVATE KEY-----/,
    'unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----", "RSA PRIVATE KEY" or "EC PRIVATE KEY")',
  );
  if (!k.ok) return k;
  const a = ca ? read(ca, certBlock, 'PEM CA certificate ("-----BEGIN CERTIFICATE-----")') : undefined;
  if (a && !a.ok) return a;
  try {
    createSecureContext({ cert: c.value, key: k.value, ca: a?.value });
  } catch (e) {
    return {
      ok: false,
      error: `${cert[0]}/${key[0]}: ${cert[1]} and ${key[1]} are unusable: ${(e as Error).message}`,
    };
  }
  return { ok: true, value: { cert: c.value, key: k.value, ...(a ? { ca: a.value } : {}) } };
}

/** Parses argv (without node and script) and the environment into options; `help` when asked. */
export function parseCli(
  argv: string[],
  env: Record<string, string | undefined>,
): Result<SimulatorOptions> | { ok: 'help' } {
  let parsed: { values: Record<string, string | boolean | undefined> };
  try {
    parsed = parseFlags(argv, {
      shape: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'hub-port': { type: 'string' },
      'payer-port': { type: 'string' },
      'payee-port': { type: 'string' },
      services: { type: 'string' },
      'hub-url': { type: 'string' },
      'parties-url': { type: 'string' },
      'quotes-url': { type: 'string' },
      faults: { type: 'string' },
      participants: { type: 'string' },
      oracle: { type: 'string' },
      secret: { type: 'string' },
      'ilp-version': { type: 'string' },
      reserve: { type: 'boolean' },
      'no-confirmation': { type: 'boolean' },
      'on-us': { type: 'boolean' },
      'no-check-ilp': { type: 'boolean' },
      'hub-version': { type: 'string' },
      'max-body': { type: 'string' },
      'transfer-ttl-ms': { type: 'string' },
      'max-transfers': { type: 'string' },
      'relay-ttl-ms': { type: 'string' },
      'relay-max': { type: 'string' },
      'max-transfer-bytes': { type: 'string' },
      'relay-max-bytes': { type: 'string' },
      'relay-phase-max-bytes': { type: 'string' },
      'outbound-timeout-ms': { type: 'string' },
      'no-warm-iso': { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'auth-token': { type: 'string' },
      'auth-token-file': { type: 'string' },
      help: { type: 'boolean' },
    } as const);
  } catch (e) {
    return { ok: false, error: `${(e as Error).message}\n\n${USAGE}` };
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return { ok: 'help' };
  const o = defaultOptions();
  const str = (flag: string, envName?: string): [string, string] | undefined => {
    const f = v[flag];
    if (typeof f === 'string') return [`--${flag}`, f];
    const e = envName ? env[envName] : undefined;
    if (e !== undefined && e !== '') return [envName!, e];
    return undefined;
  };
  const shape = str('shape', 'SIM_SHAPE');
  if (shape) {
    if (shape[1] !== 'all-in-one' && shape[1] !== 'separate') {
      return {
        ok: false,
        error: `${shape[0]}: expected "all-in-one" or "separate", got ${JSON.stringify(shape[1])}`,
      };
    }
    o.shape = shape[1];
  }
  const host = str('host', 'SIM_HOST');
  if (host) {
    if (!/^[A-Za-z0-9.:[\]-]+$/.test(host[1]))
      return {
        ok: false,
        error: `${host[0]}: expected a host name or address, got ${JSON.stringify(host[1])}`,
      };
    o.host = host[1];
  }
  for (const [flag, envName, key] of [
    ['port', 'SIM_PORT', 'port'],
    ['hub-port', undefined, 'hubPort'],
    ['payer-port', undefined, 'payerPort'],
    ['payee-port', undefined, 'payeePort'],
  ] as const) {
    const s = str(flag, envName);
    if (!s) continue;
    const n = int(s[0], s[1], 0, 65535);
    if (!n.ok) return n;
    o[key] = n.value;
  }
  const services = str('services');
  if (services) {
    const list = services[1].split(',').map((x) => x.trim());
    for (const s of list) {
      if (s !== 'hub' && s !== 'payer' && s !== 'payee') {
        return {
          ok: false,
          error: `--services: expected a comma list of hub, payer, payee, got ${JSON.stringify(s)}`,
        };
      }
    }
    o.services = [...new Set(list)] as ServiceName[];
  }
  for (const [flag, key] of [
    ['hub-url', 'hubUrl'],
    ['parties-url', 'partiesUrl'],
    ['quotes-url', 'quotesUrl'],
  ] as const) {
    const s = str(flag);
    if (!s) continue;
    const u = url(s[0], s[1]);
    if (!u.ok) return u;
    o[key] = u.value;
  }
  const faults = str('faults', 'SIM_FAULTS');
  if (faults) {
    const f = faultsArg(faults[0], faults[1]);
    if (!f.ok) return f;
    o.faults = f.value;
  }
  const participants = str('participants');
  if (participants) {
    const j = jsonArg('--participants', participants[1]);
    if (!j.ok) return j;
    if (!Array.isArray(j.value) || j.value.length === 0 || j.value.length > MAX_PARTICIPANTS)
      return {
        ok: false,
        error: `--participants: expected a JSON array of 1..${MAX_PARTICIPANTS} participants`,
      };
    const list: ParticipantConfig[] = [];
    for (let i = 0; i < j.value.length; i++) {
      const c = checkParticipantConfig(j.value[i], `--participants[${i}]`);
      if (!c.ok) return c;
      list.push(c.value);
    }
    o.participants = list;
  }
  const oracle = str('oracle');
  if (oracle) {
    const j = jsonArg('--oracle', oracle[1]);
    if (!j.ok) return j;
    const r = checkOracleRules(j.value);
    if (!r.ok) return { ok: false, error: `--oracle: ${r.error}` };
    o.oracle = r.value;
  }
  const secret = str('secret', 'SIM_ILP_SECRET');
  if (secret) o.ilpSecret = secret[1];
  const ilpVersion = str('ilp-version', 'SIM_ILP_VERSION');
  if (ilpVersion) {
    const v = ilpVersion[1] === '1' || ilpVersion[1] === '4' ? `v${ilpVersion[1]}` : ilpVersion[1];
    if (v !== 'v1' && v !== 'v4')
      return {
        ok: false,
        error: `${ilpVersion[0]}: expected v1 or v4, got ${JSON.stringify(ilpVersion[1])}`,
      };
    o.ilpVersion = v;
  }
  if (v.reserve) o.reserveNotification = true;
  if (v['no-confirmation']) o.sendConfirmationToPayee = false;
  if (v['on-us']) o.onUsTransfers = true;
  if (v['no-check-ilp']) o.checkIlp = false;
  if (v['no-warm-iso']) o.warmIso = false;
  const hv = str('hub-version');
  if (hv) {
    if (hv[1] !== '1.0' && hv[1] !== '1.1' && hv[1] !== '2.0')
      return { ok: false, error: `--hub-version: expected 1.0, 1.1 or 2.0, got ${JSON.stringify(hv[1])}` };
    o.hubContentVersion = hv[1];
  }
  const ints: Array<[string, number, number, (n: number) => void]> = [
    ['max-body', 1024, 64 * 1024 * 1024, (n) => (o.maxBodyBytes = n)],
    ['transfer-ttl-ms', 1000, 86_400_000, (n) => (o.transferRetention.ttlMs = n)],
    ['max-transfers', 100, 10_000_000, (n) => (o.transferRetention.max = n)],
    ['relay-ttl-ms', 1000, 86_400_000, (n) => (o.relay.ttlMs = n)],
    ['relay-max', 100, 10_000_000, (n) => (o.relay.max = n)],
    ['max-transfer-bytes', 1 << 20, 2 ** 40, (n) => (o.transferRetention.maxBytes = n)],
    ['relay-max-bytes', 1 << 20, 2 ** 40, (n) => (o.relay.maxBytes = n)],
    ['relay-phase-max-bytes', 1 << 20, 2 ** 40, (n) => (o.relay.phaseMaxBytes = n)],
    ['outbound-timeout-ms', 1, 600_000, (n) => (o.outboundTimeoutMs = n)],
  ];
  for (const [flag, min, max, set] of ints) {
    const s = str(flag);
    if (!s) continue;
    const n = int(s[0], s[1], min, max);
    if (!n.ok) return n;
    set(n.value);
  }
  const tls = tlsArgs(
    str('tls-cert', 'SIM_TLS_CERT'),
    str('tls-key', 'SIM_TLS_KEY'),
    str('tls-ca', 'SIM_TLS_CA'),
  );
  if (!tls.ok) return tls;
  if (tls.value) o.tls = tls.value;
  const token = str('auth-token', 'SIM_AUTH_TOKEN');
  const tokenFile = str('auth-token-file', 'SIM_AUTH_TOKEN_FILE');
  if (token && tokenFile)
    return { ok: false, error: `${token[0]} and ${tokenFile[0]}: give the shared secret one way, not both` };
  if (token) {
    const t = authTokenArg(token[0], token[1]);
    if (!t.ok) return t;
    o.authToken = t.value;
  } else if (tokenFile) {
    let text: string;
    try {
      text = readFileSync(tokenFile[1], 'utf8').trim();
    } catch (e) {
      return { ok: false, error: `${tokenFile[0]}: cannot read ${tokenFile[1]}: ${(e as Error).message}` };
    }
    const t = authTokenArg(`${tokenFile[0]} (${tokenFile[1]})`, text);
    if (!t.ok) return t;
    o.authToken = t.value;
  }
  const exposed = exposureError(o);
  if (exposed) return { ok: false, error: exposed };
  if (
    o.shape === 'separate' &&
    !o.services.includes('hub') &&
    !o.hubUrl &&
    (o.services.includes('payer') || o.services.includes('payee'))
  ) {
    return {
      ok: false,
      error:
        '--hub-url: required when the separate shape runs DFSP services without the local hub (--services)',
    };
  }
  return { ok: true, value: o };
}
