/**
 * `@mojaloop/sdk-standard-components` (SSC), the Mojaloop SDKs' own ILP code, as a test oracle, and
 * `ilp-packet` 2.2.0 (SSC's `ilp-packet-v1`, the only release that writes ILP v1 Payment packets).
 * Both are installed apart from the kit, in conformance/ (`npm ci --prefix conformance`); when they
 * are missing, `loadSscOracle()` says why and the tests that need them report themselves skipped.
 *
 * Only SSC's ILP entry (`src/lib/ilp`, a few dozen modules) is loaded, not the package root (which
 * pulls in HTTP clients, JWS and the logger: thousands of modules). It needs a logger with `child`,
 * `debug` and `warn`; a silent one is passed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { skipOrFail } from './conformance.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SSC_PACKAGE_DIR = path.join(
  REPO_ROOT,
  'conformance',
  'node_modules',
  '@mojaloop',
  'sdk-standard-components',
);

/** What SSC returns for a transaction object. */
export interface SscIlpResponse {
  fulfilment: string;
  condition: string;
  ilpPacket: string;
}

/** The part of SSC's `IlpV1` / `IlpV4` the tests call. */
export interface SscIlp {
  getResponseIlp(transactionObject: unknown): SscIlpResponse;
  calculateFulfil(ilpPacket: string): string;
  calculateConditionFromFulfil(fulfilment: string): string;
  validateFulfil(fulfilment: string, condition: string): boolean;
  getTransactionObject(ilpPacket: string): unknown;
  validateIlpAgainstTransferRequest(transferBody: unknown): boolean;
  decodeIlpPacket(ilpPacket: string): Record<string, unknown>;
}

/** `ilp-packet` 2.2.0's v1 Payment codec. */
export interface IlpPacketV1 {
  serializeIlpPayment(json: { amount: string; account: string; data: Buffer }): Buffer;
  deserializeIlpPayment(binary: Buffer): { amount: string; account: string; data: Buffer };
}

export interface SscOracle {
  /** SSC's version (19.18.8 and older keep insertion order in the packet JSON; 19.18.9+ sort keys). */
  version: string;
  ilp(version: 'v1' | 'v4', secret: string): SscIlp;
  ilpPacketV1: IlpPacketV1;
  /** ilp-packet-v1's version (2.2.0 expected). */
  ilpPacketV1Version: string;
}

const silent = {
  isDebugEnabled: false,
  isVerboseEnabled: false,
  child() {
    return silent;
  },
  push() {
    return silent;
  },
  debug() {},
  verbose() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  trace() {},
  log() {},
};

let cached: { oracle: SscOracle } | { skip: string } | undefined;

/** SSC and ilp-packet-v1 from conformance/node_modules, or why they cannot be loaded. */
export function loadSscOracle(): { oracle: SscOracle } | { skip: string } {
  cached ??= load();
  if ('skip' in cached) skipOrFail(cached.skip);
  return cached;
}

function load(): { oracle: SscOracle } | { skip: string } {
  const manifest = path.join(SSC_PACKAGE_DIR, 'package.json');
  if (!existsSync(manifest)) {
    return {
      skip: '@mojaloop/sdk-standard-components is not installed in conformance/node_modules (run: npm ci --prefix conformance)',
    };
  }
  try {
    const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    // Resolve from SSC's own directory: its ilp-packet-v1 may be nested under it.
    const fromSsc = createRequire(manifest);
    const { ilpFactory, ILP_VERSIONS } = fromSsc('./src/lib/ilp') as {
      ilpFactory(version: string, options: { secret: string; logger: unknown }): SscIlp;
      ILP_VERSIONS: { v1: string; v4: string };
    };
    const ilpPacketV1 = fromSsc('ilp-packet-v1') as IlpPacketV1;
    const v1Manifest = fromSsc.resolve('ilp-packet-v1/package.json');
    const ilpPacketV1Version = (JSON.parse(readFileSync(v1Manifest, 'utf8')) as { version: string }).version;
    const instances = new Map<string, SscIlp>();
    return {
      oracle: {
        version,
        ilpPacketV1,
        ilpPacketV1Version,
        ilp(v, secret) {
          const k = `${v}\u0000${secret}`;
          let i = instances.get(k);
          if (!i) {
            i = ilpFactory(ILP_VERSIONS[v], { secret, logger: silent });
            instances.set(k, i);
          }
          return i;
        },
      },
    };
  } catch (e) {
    return {
      skip: `cannot load sdk-standard-components' ILP code from conformance/: ${(e as Error).message}`,
    };
  }
}

/** Prints why a test file is skipped (once per file), like the other conformance tests. */
export function reportSkip(file: string, reason: string): void {
  process.stderr.write(`${file}: SKIPPED — ${reason}\n`);
}
