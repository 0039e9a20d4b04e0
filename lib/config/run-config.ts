/**
 * The whole configuration of a run, parsed once in the k6 init context from `__ENV` (the `-e`
 * variables of docs/ARCHITECTURE.md) and an optional JSON file (`CONFIG`, read with `open()`).
 *
 * Pure: no k6 import. The k6 glue passes `__ENV` and a file reader; Node tests pass plain objects.
 * Precedence: built-in defaults < JSON file < environment. Every problem is collected and thrown
 * at once as a ConfigError naming each field and the expected form, so k6 exits non-zero in init,
 * before any load.
 */

import { CURRENCY_CODE } from '../protocol/currency.ts';
import { type IdKind, MAX_RUNNERS } from '../protocol/ids.ts';
import { ILP_VERSIONS, type IlpVersion } from '../protocol/ilp.ts';
import { amountToIlpUnits } from '../protocol/money.ts';
import { CLOUD_ENV, CloudConfigError, type CloudOptions, cloudOptionsFromEnv } from './cloud.ts';
import { k6Duration } from './duration.ts';
import { Problems, shown } from './errors.ts';
import { DEFAULT_POOL, type DfspPool, parsePool } from './pool.ts';
import {
  DEFAULT_HOLD_MS,
  MAX_VUS_PER_RUNNER,
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
  type ProfileSpec,
  VU_HEADROOM,
} from './profiles.ts';
import { type DirProbe, resolveResultsDir } from './results-dir.ts';
import { parseTls, TLS_ENV, type TlsConfig } from './tls.ts';
import { durationMs, httpUrl, integerIn, numberIn, oneOf, positiveNumber } from './values.ts';

export type ScenarioKind = 'transfers' | 'e2e' | 'outbound';
export type Mode = 'collect' | 'wait';
export type Api = 'fspiop' | 'iso20022';
export type FspiopVersion = '1.0' | '1.1' | '2.0';
export type { IdKind } from '../protocol/ids.ts';
/** Outbound scenario: the whitepaper's three calls, or the SDK's one-call POST /transfers. */
export type OutboundFlow = 'simple' | 'transfers';
export type IlpMode = 'fixed' | 'per-transfer';
export const ILP_MODES: readonly IlpMode[] = ['fixed', 'per-transfer'];

export const MODES: readonly Mode[] = ['collect', 'wait'];
export const APIS: readonly Api[] = ['fspiop', 'iso20022'];
export const FSPIOP_VERSIONS: readonly FspiopVersion[] = ['1.0', '1.1', '2.0'];
export const ID_KINDS: readonly IdKind[] = ['ulid', 'uuid', 'uuid4'];
export const OUTBOUND_FLOWS: readonly OutboundFlow[] = ['simple', 'transfers'];

export interface JwsConfig {
  /** PKCS#8 PEM text of the private key (read from a file with open(); never passed with -e). */
  privateKeyPem: string;
  /** RS256 for RSA keys (the FSPIOP default), ES256 for P-256 keys. */
  alg: 'RS256' | 'ES256';
  /** Where it came from, for messages (never the key itself). */
  keyFile: string;
}

export interface RunConfig {
  scenario: ScenarioKind;
  profile: ProfileName;
  profileSpec: ProfileSpec;
  /** Target transfers/s for the whole test (all runners). */
  targetTps: number;
  /** Steady-state (or total ramp) duration, ms. */
  durationMs: number;
  parallelism: number;
  /** transfers scenario only; e2e and outbound always wait. */
  mode: Mode;
  api: Api;
  fspiopVersion: FspiopVersion;
  /** Latency of what holds a VU, for Little's-law sizing, ms. */
  expectedLatencyMs: number;
  /** Spare VU capacity over Little's law (VU_HEADROOM, >= 1). */
  vuHeadroom: number;
  /** Total VUs given explicitly (VUS), instead of Little's law; a multiple of PARALLELISM. */
  vus: number | undefined;
  timeoutMs: number;
  hubUrl: string;
  relayUrl: string;
  outboundUrl: string;
  outboundFlow: OutboundFlow;
  /** Explicit runner index (RUNNER), else derived from the execution segment at run time. */
  runner: number | undefined;
  /** RESULTS_DIR as handleSummary names files, checked in k6's init context; undefined: no files. */
  resultsDir: string | undefined;
  /** Why no result files are written, when `resultsDir` is undefined (lib/config/results-dir.ts). */
  resultsNote: string | undefined;
  /** Outcomes the collector asks the relay for per request. */
  collectBatch: number;
  pool: DfspPool;
  amount: string;
  currency: string;
  idKind: IdKind;
  /** Shared ILP secret of the payee simulators (SDK default `mojaloop-sdk`). */
  ilpSecret: string;
  /**
   * `fixed`: one ILP packet/condition for every transfer (what the Mojaloop harness does; the hub
   * never decodes the packet in FSPIOP mode); `per-transfer`: a packet per transfer, as an SDK makes it.
   */
  ilpMode: IlpMode;
  /**
   * ILP packet version (ILP_VERSION): `v1` (ILP Payment; FSPIOP payees and the Testing Toolkit
   * decode it) or `v4` (ILP Prepare; what ISO 20022 carries). Default v1 for FSPIOP, v4 for ISO.
   */
  ilpVersion: IlpVersion;
  jws: JwsConfig | undefined;
  /** TLS client identities for mutual TLS (TLS_CERT/TLS_KEY, RELAY_TLS_*, CONFIG tls; lib/config/tls.ts). */
  tls: TlsConfig | undefined;
  /** `options.cloud` for Grafana Cloud k6 (K6_CLOUD_PROJECT_ID, K6_CLOUD_NAME, K6_CLOUD_DISTRIBUTION). */
  cloud: CloudOptions | undefined;
  /** Path of the JSON config file, when one was used. */
  configFile: string | undefined;
}

/** The environment as k6 exposes it (`__ENV`). */
export type Env = Readonly<Record<string, string | undefined>>;
/** Reads a text file (k6: `open(path)` in the init context). Throws when the file is missing. */
export type ReadFile = (path: string) => string;

/** Keys the JSON config file may hold; anything else is a typo and is refused. */
const FILE_KEYS = [
  'dfsps',
  'pairs',
  'amount',
  'currency',
  'api',
  'fspiopVersion',
  'idKind',
  'timeoutMs',
  'expectedLatencyMs',
  'hubUrl',
  'relayUrl',
  'outboundUrl',
  'ilpSecret',
  'ilpMode',
  'ilpVersion',
  'jws',
  'tls',
] as const;

/** Variables the kit reads (documented in docs/scenarios.md). */
export const ENV_VARS = [
  'PROFILE',
  'TARGET_TPS',
  'DURATION',
  'PARALLELISM',
  'MODE',
  'API',
  'FSPIOP_VERSION',
  'EXPECTED_LATENCY_MS',
  'VU_HEADROOM',
  'VUS',
  'TIMEOUT_MS',
  'HUB_URL',
  'RELAY_URL',
  'OUTBOUND_URL',
  'OUTBOUND_FLOW',
  'CONFIG',
  'RUNNER',
  'RESULTS_DIR',
  'COLLECT_BATCH',
  'AMOUNT',
  'CURRENCY',
  'ID_KIND',
  'ILP_MODE',
  'ILP_VERSION',
  ...TLS_ENV,
  ...CLOUD_ENV,
] as const;

const DEFAULTS = {
  timeoutMs: 10_000,
  hubUrl: 'http://127.0.0.1:4300',
  relayPath: '/relay',
  outboundPath: '/dfsp/payerfsp/outbound',
  amount: '1',
  currency: 'XXX',
  ilpSecret: 'mojaloop-sdk',
  resultsDir: 'results',
  collectBatch: 500,
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolves a file path given in the environment. k6 resolves relative `open()` paths against the
 * script's directory (dist/ for bundles); operators expect paths relative to where they ran k6, so
 * a relative path is joined to `PWD` when k6 passed it through (it does for `k6 run` by default).
 */
export function resolvePath(path: string, env: Env): string {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('file://')) return path;
  const pwd = env.PWD;
  return pwd ? `${pwd.replace(/\/+$/, '')}/${path.replace(/^\.\//, '')}` : path;
}

function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

interface FileValues {
  raw: Record<string, unknown>;
}

function readConfigFile(env: Env, readFile: ReadFile | undefined, problems: Problems): FileValues {
  const path = envValue(env, 'CONFIG');
  if (path === undefined) return { raw: {} };
  if (!readFile) {
    problems.add(
      'CONFIG',
      'a config file was named but no file reader is available (k6 open() works only in the init context)',
    );
    return { raw: {} };
  }
  let text: string;
  try {
    text = readFile(resolvePath(path, env));
  } catch (e) {
    problems.add('CONFIG', `cannot read ${shown(path)}: ${(e as Error).message}`);
    return { raw: {} };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    problems.add('CONFIG', `${shown(path)} is not valid JSON: ${(e as Error).message}`);
    return { raw: {} };
  }
  if (!isRecord(parsed)) {
    problems.add('CONFIG', `${shown(path)} must hold a JSON object, got ${shown(parsed)}`);
    return { raw: {} };
  }
  for (const key of Object.keys(parsed)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      problems.add(`CONFIG ${key}`, `unknown key; expected one of ${FILE_KEYS.join(', ')}`);
    }
  }
  return { raw: parsed };
}

/** A string-valued setting: env variable first, then the file key, then the default. */
function pick(
  env: Env,
  envName: string,
  file: Record<string, unknown>,
  fileKey: string,
  problems: Problems,
): string | undefined {
  const fromEnv = envValue(env, envName);
  if (fromEnv !== undefined) return fromEnv;
  const fromFile = file[fileKey];
  if (fromFile === undefined) return undefined;
  if (typeof fromFile === 'number' || typeof fromFile === 'string') return String(fromFile);
  problems.add(`CONFIG ${fileKey}`, `expected a string or number, got ${shown(fromFile)}`);
  return undefined;
}

/** Which field a value came from, for error messages. */
function fieldOf(env: Env, envName: string, fileKey: string): string {
  return envValue(env, envName) !== undefined ? envName : `CONFIG ${fileKey}`;
}

/**
 * Parses and validates the configuration of one scenario. Throws ConfigError listing every problem.
 */
export function parseRunConfig(
  scenario: ScenarioKind,
  env: Env,
  readFile?: ReadFile,
  probeDir?: DirProbe,
): RunConfig {
  const problems = new Problems();
  const { raw: file } = readConfigFile(env, readFile, problems);

  const profile = oneOf(envValue(env, 'PROFILE') ?? 'smoke', PROFILE_NAMES, 'PROFILE', problems) ?? 'smoke';
  const spec: ProfileSpec = PROFILES[profile];

  const tpsText = envValue(env, 'TARGET_TPS');
  const targetTps =
    tpsText === undefined ? spec.defaultTps : positiveNumber(tpsText, 'TARGET_TPS', problems, '1000');

  const durText = envValue(env, 'DURATION');
  let duration = durText === undefined ? spec.defaultDurationMs : durationMs(durText, 'DURATION', problems);
  if (duration !== undefined && duration < spec.minDurationMs) {
    problems.add(
      'DURATION',
      `profile ${profile} needs at least ${k6Duration(spec.minDurationMs)}, got ${shown(durText)}`,
    );
    duration = undefined;
  }

  const parText = envValue(env, 'PARALLELISM');
  const parallelism = parText === undefined ? 1 : integerIn(parText, 1, MAX_RUNNERS, 'PARALLELISM', problems);

  const modeText = envValue(env, 'MODE');
  let mode: Mode | undefined = modeText === undefined ? 'collect' : oneOf(modeText, MODES, 'MODE', problems);
  if (scenario !== 'transfers' && mode === 'collect' && modeText !== undefined) {
    problems.add(
      'MODE',
      `the ${scenario} scenario always waits for each phase's callback; MODE=collect applies to the transfers scenario only`,
    );
  }
  if (scenario !== 'transfers') mode = 'wait';

  const apiText = pick(env, 'API', file, 'api', problems) ?? 'fspiop';
  const api = oneOf(apiText, APIS, fieldOf(env, 'API', 'api'), problems);
  const versionText =
    pick(env, 'FSPIOP_VERSION', file, 'fspiopVersion', problems) ?? (api === 'iso20022' ? '2.0' : '1.1');
  const fspiopVersion = oneOf(
    versionText,
    FSPIOP_VERSIONS,
    fieldOf(env, 'FSPIOP_VERSION', 'fspiopVersion'),
    problems,
  );
  if (api === 'iso20022' && fspiopVersion !== undefined && fspiopVersion !== '2.0') {
    problems.add(
      fieldOf(env, 'FSPIOP_VERSION', 'fspiopVersion'),
      `API=iso20022 exists only with version 2.0, got ${shown(fspiopVersion)}`,
    );
  }
  if (scenario === 'outbound' && api === 'iso20022') {
    problems.add(
      fieldOf(env, 'API', 'api'),
      'the outbound scenario drives the DFSP SDK API, which has no ISO 20022 variant; set the DFSP to ISO instead',
    );
  }
  if (scenario === 'e2e' && api === 'iso20022') {
    problems.add(
      fieldOf(env, 'API', 'api'),
      'ISO 20022 bodies are implemented for POST /transfers (the transfers scenario), not for parties and quotes',
    );
  }

  const holdKey = scenario === 'transfers' ? (mode ?? 'collect') : scenario;
  const latText = pick(env, 'EXPECTED_LATENCY_MS', file, 'expectedLatencyMs', problems);
  const expectedLatencyMs =
    latText === undefined
      ? DEFAULT_HOLD_MS[holdKey]
      : positiveNumber(latText, fieldOf(env, 'EXPECTED_LATENCY_MS', 'expectedLatencyMs'), problems, '50');

  const headroomText = envValue(env, 'VU_HEADROOM');
  const vuHeadroom =
    headroomText === undefined ? VU_HEADROOM : numberIn(headroomText, 1, 100, 'VU_HEADROOM', problems, '1.5');
  const vusText = envValue(env, 'VUS');
  const vus =
    vusText === undefined
      ? undefined
      : integerIn(vusText, 1, MAX_VUS_PER_RUNNER * MAX_RUNNERS, 'VUS', problems);

  const toText = pick(env, 'TIMEOUT_MS', file, 'timeoutMs', problems);
  const timeoutMs =
    toText === undefined
      ? DEFAULTS.timeoutMs
      : integerIn(toText, 100, 600_000, fieldOf(env, 'TIMEOUT_MS', 'timeoutMs'), problems);

  const hubText = pick(env, 'HUB_URL', file, 'hubUrl', problems) ?? DEFAULTS.hubUrl;
  const hubUrl = httpUrl(hubText, fieldOf(env, 'HUB_URL', 'hubUrl'), problems) ?? DEFAULTS.hubUrl;
  const relayText = pick(env, 'RELAY_URL', file, 'relayUrl', problems) ?? hubUrl + DEFAULTS.relayPath;
  const relayUrl = httpUrl(relayText, fieldOf(env, 'RELAY_URL', 'relayUrl'), problems);
  const outText = pick(env, 'OUTBOUND_URL', file, 'outboundUrl', problems) ?? hubUrl + DEFAULTS.outboundPath;
  const outboundUrl = httpUrl(outText, fieldOf(env, 'OUTBOUND_URL', 'outboundUrl'), problems);
  const outboundFlow = oneOf(
    envValue(env, 'OUTBOUND_FLOW') ?? 'simple',
    OUTBOUND_FLOWS,
    'OUTBOUND_FLOW',
    problems,
  );

  const runnerText = envValue(env, 'RUNNER');
  const runner =
    runnerText === undefined ? undefined : integerIn(runnerText, 0, MAX_RUNNERS - 1, 'RUNNER', problems);
  if (
    runner !== undefined &&
    parallelism !== undefined &&
    runner >= Math.max(parallelism, 1) &&
    parText !== undefined
  ) {
    problems.add(
      'RUNNER',
      `runner index ${runner} is outside 0..${parallelism - 1} for PARALLELISM=${parallelism}`,
    );
  }

  // PWD is the shell's, not a kit variable: k6 copies the process environment into __ENV.
  const results = resolveResultsDir(envValue(env, 'RESULTS_DIR') ?? DEFAULTS.resultsDir, env.PWD, probeDir);
  if (!results.ok) problems.add('RESULTS_DIR', results.error);
  const resultsDir = results.ok ? results.value.dir : undefined;
  const resultsNote = results.ok ? results.value.note : undefined;
  const batchText = envValue(env, 'COLLECT_BATCH');
  const collectBatch =
    batchText === undefined
      ? DEFAULTS.collectBatch
      : integerIn(batchText, 1, 10_000, 'COLLECT_BATCH', problems);

  const pool =
    file.dfsps === undefined && file.pairs === undefined
      ? DEFAULT_POOL
      : parsePool(file.dfsps, file.pairs, problems);

  const currency = pick(env, 'CURRENCY', file, 'currency', problems) ?? DEFAULTS.currency;
  if (!CURRENCY_CODE.test(currency)) {
    problems.add(
      fieldOf(env, 'CURRENCY', 'currency'),
      `expected a 3-letter ISO 4217 code such as "XXX" or "USD", got ${shown(currency)}`,
    );
  }
  const amount = pick(env, 'AMOUNT', file, 'amount', problems) ?? DEFAULTS.amount;
  if (CURRENCY_CODE.test(currency)) {
    try {
      if (amountToIlpUnits(amount, currency) === '0')
        problems.add(fieldOf(env, 'AMOUNT', 'amount'), 'expected an amount greater than 0');
    } catch (e) {
      problems.add(fieldOf(env, 'AMOUNT', 'amount'), (e as Error).message.replace(/^amount: /, ''));
    }
  }

  // FSPIOP 1.x ids are UUIDs (version nibble 1-5): a time-based v1, so it carries its send time;
  // ULIDs where the version allows them (2.0, ISO 20022).
  const idText =
    pick(env, 'ID_KIND', file, 'idKind', problems) ??
    (api === 'fspiop' && fspiopVersion !== '2.0' ? 'uuid' : 'ulid');
  const idKind = oneOf(idText, ID_KINDS, fieldOf(env, 'ID_KIND', 'idKind'), problems);

  const ilpSecretRaw = file.ilpSecret ?? DEFAULTS.ilpSecret;
  let ilpSecret: string = DEFAULTS.ilpSecret;
  if (typeof ilpSecretRaw !== 'string' || ilpSecretRaw.length === 0) {
    problems.add('CONFIG ilpSecret', `expected a non-empty string, got ${shown(ilpSecretRaw)}`);
  } else ilpSecret = ilpSecretRaw;

  const ilpText = pick(env, 'ILP_MODE', file, 'ilpMode', problems) ?? 'fixed';
  const ilpMode = oneOf(ilpText, ILP_MODES, fieldOf(env, 'ILP_MODE', 'ilpMode'), problems);
  // FSPIOP payees decode ILP v1 (the SDK's default ILP_VERSION 1, the Testing Toolkit always); ISO
  // 20022 carries a v4 Prepare (IlpV4PrepPacket) the hub takes the condition from. "1"/"4" as the SDK.
  const ilpVersionRaw =
    pick(env, 'ILP_VERSION', file, 'ilpVersion', problems) ?? (api === 'iso20022' ? 'v4' : 'v1');
  const ilpVersionField = fieldOf(env, 'ILP_VERSION', 'ilpVersion');
  const ilpVersion = oneOf(
    ilpVersionRaw === '1' || ilpVersionRaw === '4' ? `v${ilpVersionRaw}` : ilpVersionRaw,
    ILP_VERSIONS,
    ilpVersionField,
    problems,
  );
  if (api === 'iso20022' && ilpVersion === 'v1') {
    problems.add(
      ilpVersionField,
      'API=iso20022 carries an ILP v4 Prepare packet (IlpV4PrepPacket), whose condition the hub decodes; use "v4"',
    );
  }
  if (api === 'iso20022' && idKind !== undefined && idKind !== 'ulid') {
    problems.add(
      fieldOf(env, 'ID_KIND', 'idKind'),
      `ISO 20022 mode needs ULID transfer ids (pacs.008 TxId), got ${shown(idKind)}; use "ulid"`,
    );
  }

  const jws = parseJws(file.jws, env, readFile, problems);
  const tls = parseTls(file.tls, env, readFile && ((p) => readFile(resolvePath(p, env))), problems);

  let cloud: CloudOptions | undefined;
  try {
    cloud = cloudOptionsFromEnv(env, `mojaloop-k6 ${scenario} ${profile}`);
  } catch (e) {
    if (!(e instanceof CloudConfigError)) throw e;
    for (const p of e.problems) {
      const at = p.indexOf(': ');
      problems.add(at > 0 ? p.slice(0, at) : 'K6_CLOUD', at > 0 ? p.slice(at + 2) : p);
    }
  }

  problems.throwIfAny();
  return {
    scenario,
    profile,
    profileSpec: spec,
    targetTps: targetTps!,
    durationMs: duration!,
    parallelism: parallelism!,
    mode: mode!,
    api: api!,
    fspiopVersion: fspiopVersion!,
    expectedLatencyMs: expectedLatencyMs!,
    vuHeadroom: vuHeadroom!,
    vus,
    timeoutMs: timeoutMs!,
    hubUrl,
    relayUrl: relayUrl!,
    outboundUrl: outboundUrl!,
    outboundFlow: outboundFlow!,
    runner,
    resultsDir,
    resultsNote,
    collectBatch: collectBatch!,
    pool,
    amount,
    currency,
    idKind: idKind!,
    ilpSecret,
    ilpMode: ilpMode!,
    ilpVersion: ilpVersion!,
    jws,
    tls,
    cloud,
    configFile: envValue(env, 'CONFIG'),
  };
}

function parseJws(
  raw: unknown,
  env: Env,
  readFile: ReadFile | undefined,
  problems: Problems,
): JwsConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw) || typeof raw.keyFile !== 'string' || raw.keyFile.trim() === '') {
    problems.add(
      'CONFIG jws',
      `expected {"keyFile": "path/to/private-key.pem", "alg": "RS256"}, got ${shown(raw)}`,
    );
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'keyFile' && key !== 'alg')
      problems.add(`CONFIG jws.${key}`, 'unknown key; expected keyFile and alg');
  }
  const alg = raw.alg ?? 'RS256';
  if (alg !== 'RS256' && alg !== 'ES256') {
    problems.add('CONFIG jws.alg', `expected "RS256" (RSA key) or "ES256" (P-256 key), got ${shown(alg)}`);
    return undefined;
  }
  const keyFile = raw.keyFile.trim();
  if (!readFile) {
    problems.add('CONFIG jws.keyFile', 'no file reader available to read the key');
    return undefined;
  }
  let pem: string;
  try {
    pem = readFile(resolvePath(keyFile, env));
  } catch (e) {
    problems.add('CONFIG jws.keyFile', `cannot read ${shown(keyFile)}: ${(e as Error).message}`);
    return undefined;
  }
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    const hint = /-----BEGIN (RSA |EC )PRIVATE KEY-----/.test(pem)
      ? ' (this is PKCS#1/SEC1; convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem)'
      : '';
    problems.add(
      'CONFIG jws.keyFile',
      `${shown(keyFile)} holds no PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----")${hint}`,
    );
    return undefined;
  }
  return { privateKeyPem: pem, keyFile, alg };
}
