/**
 * The hub's participant registry (central-ledger participants + their callback endpoints and
 * position accounts) and the account-lookup oracle (which FSP holds a party).
 *
 * Amounts are held as bigint "units" of 10^-4 (FSPIOP amounts have at most 4 decimals), so
 * positions stay exact whatever the amounts.
 */
import { FSPIOP_AMOUNT } from '../../lib/protocol/money.ts';
import { isRecord } from '../runtime/message.ts';

export const UNIT_SCALE = 4;
const UNIT = 10n ** BigInt(UNIT_SCALE);

/** "12.5" -> 125000n. Callers check the FSPIOP amount pattern first. */
export function amountUnits(amount: string): bigint {
  const dot = amount.indexOf('.');
  if (dot < 0) return BigInt(amount) * UNIT;
  const frac = amount.slice(dot + 1).padEnd(UNIT_SCALE, '0');
  return BigInt(amount.slice(0, dot)) * UNIT + BigInt(frac);
}

/** 125000n -> "12.5"; negative values keep their sign. */
export function formatUnits(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const whole = abs / UNIT;
  const frac = (abs % UNIT).toString().padStart(UNIT_SCALE, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + whole.toString() + (frac ? `.${frac}` : '');
}

export interface Account {
  currency: string;
  /** Settlement balance available as liquidity cover (units). */
  liquidity: bigint;
  /** Net debit cap (units). */
  ndc: bigint;
  /** Net position: positive = owes the scheme (units). Reserved prepares count in it. */
  position: bigint;
}

export interface Participant {
  fspId: string;
  /** Callback base URL (FSPIOP paths are appended); undefined = simulated by this process. */
  endpoint: string | undefined;
  active: boolean;
  /** Where a simulated participant runs in the separate-services shape. */
  placement: 'payer' | 'payee';
  accounts: Map<string, Account>;
}

export interface AccountConfig {
  currency: string;
  /** Decimal string, default "1000000000000". */
  liquidity?: string;
  /** Decimal string, default = liquidity. */
  ndc?: string;
  /** Decimal string (may be negative), default "0". */
  position?: string;
}

export interface ParticipantConfig {
  fspId: string;
  /** External callback base URL; leave out for a participant this simulator simulates. */
  endpoint?: string;
  /** Currencies as codes or account settings; default ["XXX"]. */
  currencies?: Array<string | AccountConfig>;
  active?: boolean;
  placement?: 'payer' | 'payee';
}

export interface OracleRule {
  /** Party id type (`MSISDN`, ...) or `*` for any. */
  type: string;
  /** Identifier prefix ('' matches all). */
  prefix: string;
  fspId: string;
}

export const DEFAULT_LIQUIDITY = '1000000000000';
/** Most participants the registry holds (each simulated one is a DFSP with its own memory). */
export const MAX_PARTICIPANTS = 10_000;
export const FSP_ID = /^[A-Za-z0-9._-]{1,32}$/;
const CURRENCY = /^[A-Z]{3}$/;
const SIGNED_AMOUNT = /^-?([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$/;

export const DEFAULT_PARTICIPANTS: readonly ParticipantConfig[] = [
  { fspId: 'payerfsp', currencies: ['XXX'], placement: 'payer' },
  { fspId: 'payeefsp', currencies: ['XXX'], placement: 'payee' },
];

export const DEFAULT_ORACLE: readonly OracleRule[] = [
  { type: 'MSISDN', prefix: '', fspId: 'payeefsp' },
  { type: 'ACCOUNT_ID', prefix: '', fspId: 'payeefsp' },
];

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates a participant configuration; the error names the field and what was expected. */
export function checkParticipantConfig(raw: unknown, where = 'participant'): Checked<ParticipantConfig> {
  if (!isRecord(raw)) return { ok: false, error: `${where}: expected an object` };
  const known = new Set(['fspId', 'endpoint', 'currencies', 'active', 'placement']);
  for (const k of Object.keys(raw)) {
    if (!known.has(k))
      return { ok: false, error: `${where}.${k}: unknown field (expected ${[...known].join(', ')})` };
  }
  if (typeof raw.fspId !== 'string' || !FSP_ID.test(raw.fspId)) {
    return {
      ok: false,
      error: `${where}.fspId: expected 1..32 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(raw.fspId)}`,
    };
  }
  const out: ParticipantConfig = { fspId: raw.fspId };
  if (raw.endpoint !== undefined) {
    if (typeof raw.endpoint !== 'string' || !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(raw.endpoint)) {
      return {
        ok: false,
        error: `${where}.endpoint: expected an http(s) base URL, got ${JSON.stringify(raw.endpoint)}`,
      };
    }
    out.endpoint = raw.endpoint.replace(/\/+$/, '');
  }
  if (raw.active !== undefined) {
    if (typeof raw.active !== 'boolean')
      return { ok: false, error: `${where}.active: expected true or false` };
    out.active = raw.active;
  }
  if (raw.placement !== undefined) {
    if (raw.placement !== 'payer' && raw.placement !== 'payee') {
      return { ok: false, error: `${where}.placement: expected "payer" or "payee"` };
    }
    out.placement = raw.placement;
  }
  if (raw.currencies !== undefined) {
    if (!Array.isArray(raw.currencies) || raw.currencies.length === 0 || raw.currencies.length > 64) {
      return {
        ok: false,
        error: `${where}.currencies: expected a non-empty array of currency codes or accounts`,
      };
    }
    const list: Array<string | AccountConfig> = [];
    for (let i = 0; i < raw.currencies.length; i++) {
      const c = raw.currencies[i];
      const at = `${where}.currencies[${i}]`;
      if (typeof c === 'string') {
        if (!CURRENCY.test(c))
          return { ok: false, error: `${at}: expected a 3-letter currency code, got ${JSON.stringify(c)}` };
        list.push(c);
        continue;
      }
      if (!isRecord(c) || typeof c.currency !== 'string' || !CURRENCY.test(c.currency)) {
        return { ok: false, error: `${at}.currency: expected a 3-letter currency code` };
      }
      const acc: AccountConfig = { currency: c.currency };
      for (const f of ['liquidity', 'ndc', 'position'] as const) {
        const v = c[f];
        if (v === undefined) continue;
        const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
        const pattern = f === 'position' ? SIGNED_AMOUNT : FSPIOP_AMOUNT;
        if (typeof s !== 'string' || !pattern.test(s)) {
          return {
            ok: false,
            error: `${at}.${f}: expected a decimal amount string such as "1000", got ${JSON.stringify(v)}`,
          };
        }
        acc[f] = s;
      }
      list.push(acc);
    }
    out.currencies = list;
  }
  return { ok: true, value: out };
}

function signedUnits(s: string): bigint {
  return s.startsWith('-') ? -amountUnits(s.slice(1)) : amountUnits(s);
}

function toAccount(c: string | AccountConfig): Account {
  const cfg: AccountConfig = typeof c === 'string' ? { currency: c } : c;
  const liquidity = amountUnits(cfg.liquidity ?? DEFAULT_LIQUIDITY);
  return {
    currency: cfg.currency,
    liquidity,
    ndc: cfg.ndc === undefined ? liquidity : amountUnits(cfg.ndc),
    position: cfg.position === undefined ? 0n : signedUnits(cfg.position),
  };
}

export class Participants {
  private readonly byId = new Map<string, Participant>();
  private oracle: OracleRule[];
  /** Base URL of a simulated participant's callback endpoints; set by the deployment wiring. */
  localBase: (fspId: string) => string | undefined = () => undefined;

  constructor(configs: readonly ParticipantConfig[], oracle: readonly OracleRule[]) {
    for (const c of configs) this.upsert(c);
    this.oracle = [...oracle];
  }

  /** Adds or replaces a participant (accounts are reset to the configuration). */
  upsert(c: ParticipantConfig): Participant {
    const p: Participant = {
      fspId: c.fspId,
      endpoint: c.endpoint,
      active: c.active ?? true,
      placement: c.placement ?? 'payee',
      accounts: new Map(
        (c.currencies ?? ['XXX']).map((x) => [typeof x === 'string' ? x : x.currency, toAccount(x)]),
      ),
    };
    this.byId.set(c.fspId, p);
    return p;
  }

  get(fspId: string | undefined): Participant | undefined {
    return fspId === undefined ? undefined : this.byId.get(fspId);
  }

  get size(): number {
    return this.byId.size;
  }

  /** How many of `fspIds` are not registered yet. */
  newIds(fspIds: readonly string[]): number {
    return new Set(fspIds.filter((id) => !this.byId.has(id))).size;
  }

  list(): Participant[] {
    return [...this.byId.values()];
  }

  /** Callback base URL of a participant, or undefined when it has none. */
  baseUrl(fspId: string | undefined): string | undefined {
    const p = this.get(fspId);
    if (!p) return undefined;
    return p.endpoint ?? this.localBase(p.fspId);
  }

  setOracle(rules: OracleRule[]): void {
    this.oracle = [...rules];
  }

  oracleRules(): OracleRule[] {
    return [...this.oracle];
  }

  /** Which FSP holds a party, by the first matching oracle rule. */
  lookupParty(type: string, id: string): string | undefined {
    for (const r of this.oracle) {
      if ((r.type === '*' || r.type === type) && id.startsWith(r.prefix)) return r.fspId;
    }
    return undefined;
  }

  /** Restores every account to zero position (admin reset). */
  resetPositions(): void {
    for (const p of this.byId.values()) for (const a of p.accounts.values()) a.position = 0n;
  }
}

export function checkOracleRules(raw: unknown): Checked<OracleRule[]> {
  if (!Array.isArray(raw) || raw.length > 1000)
    return { ok: false, error: 'oracle: expected an array of {type, prefix, fspId}' };
  const out: OracleRule[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    if (!isRecord(r)) return { ok: false, error: `oracle[${i}]: expected an object` };
    if (typeof r.type !== 'string' || r.type.length === 0 || r.type.length > 32) {
      return { ok: false, error: `oracle[${i}].type: expected a party id type such as "MSISDN" or "*"` };
    }
    const prefix = r.prefix ?? '';
    if (typeof prefix !== 'string' || prefix.length > 128) {
      return { ok: false, error: `oracle[${i}].prefix: expected a string (identifier prefix)` };
    }
    if (typeof r.fspId !== 'string' || !FSP_ID.test(r.fspId)) {
      return { ok: false, error: `oracle[${i}].fspId: expected an FSP id` };
    }
    out.push({ type: r.type, prefix, fspId: r.fspId });
  }
  return { ok: true, value: out };
}
