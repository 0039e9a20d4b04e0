/**
 * The TLS client identities of a run, for hubs behind mutual-TLS ingresses: a certificate and its
 * private key for the hub (`TLS_CERT`, `TLS_KEY`, or the config file's `tls.cert`, `tls.key`) and,
 * when the callback relay wants another identity, one for the relay (`RELAY_TLS_CERT`,
 * `RELAY_TLS_KEY`, `tls.relayCert`, `tls.relayKey`). Without a relay identity the hub's is
 * presented to the relay too. The plan turns them into k6's `options.tlsAuth`
 * (lib/plan/options.ts `tlsAuthOptions`).
 *
 * Values are **file paths**, read in the init context with `open()` (the run config's ReadFile);
 * PEM text in a variable is refused: `k6 archive` and `k6 cloud run` store every `-e` value in
 * the archive. Files opened in init are embedded in an archive as well, and so are the options
 * the PEM texts end up in (docs/facts/k6.md#tls, docs/scenarios.md#mutual-tls).
 *
 * Checks are textual (k6 has no X.509 parser in JS): a `-----BEGIN CERTIFICATE-----` block, and
 * an unencrypted PKCS#8, PKCS#1 or SEC1 key block; an encrypted key is refused with the command
 * that decrypts it. k6 itself refuses a key that does not match the certificate, in init.
 *
 * Pure and k6-safe. Parsed in every VU, so its helpers are few (docs/ARCHITECTURE.md, eager code).
 */
import { type Problems, shown } from './errors.ts';

export interface TlsIdentity {
  /** PEM text of the certificate (leaf first, then any intermediates). */
  certPem: string;
  /** PEM text of the unencrypted private key. */
  keyPem: string;
  /** The files they came from, for messages (never the key itself). */
  certFile: string;
  keyFile: string;
}

export interface TlsConfig {
  /** Presented to the hub (and the outbound API); to the relay too unless `relay` is set. */
  hub: TlsIdentity | undefined;
  /** A separate identity for the callback relay. */
  relay: TlsIdentity | undefined;
}

/** The variables of this module (listed in run-config.ts ENV_VARS). */
export const TLS_ENV = ['TLS_CERT', 'TLS_KEY', 'RELAY_TLS_CERT', 'RELAY_TLS_KEY'] as const;

const TLS_FILE_KEYS = ['cert', 'key', 'relayCert', 'relayKey'];
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/;
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;
const KEY_FORMS =
  'unencrypted PEM private key: PKCS#8 "-----BEGIN PRIVATE KEY-----", PKCS#1 "-----BEGIN RSA PRIVATE KEY-----" or SEC1 "-----BEGIN EC PRIVATE KEY-----"';

/**
 * Parses the TLS settings: `raw` is the config file's `tls` value, `read` reads a file (the path
 * as given; the caller resolves relative paths). Undefined when no identity is configured.
 */
export function parseTls(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
  read: ((path: string) => string) | undefined,
  problems: Problems,
): TlsConfig | undefined {
  let file: Record<string, unknown> = {};
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.add(
        'CONFIG tls',
        `expected {"cert": "client.crt", "key": "client.key"} (file paths), got ${shown(raw)}`,
      );
    } else {
      file = raw as Record<string, unknown>;
      for (const key of Object.keys(file)) {
        if (!TLS_FILE_KEYS.includes(key))
          problems.add(`CONFIG tls.${key}`, `unknown key; expected one of ${TLS_FILE_KEYS.join(', ')}`);
      }
    }
  }
  const hub = tlsIdentity(['TLS_CERT', 'cert', 'TLS_KEY', 'key'], env, file, read, problems);
  const relay = tlsIdentity(
    ['RELAY_TLS_CERT', 'relayCert', 'RELAY_TLS_KEY', 'relayKey'],
    env,
    file,
    read,
    problems,
  );
  return hub || relay ? { hub, relay } : undefined;
}

/** One identity: [cert variable, cert file key, key variable, key file key]. */
function tlsIdentity(
  names: readonly [string, string, string, string],
  env: Readonly<Record<string, string | undefined>>,
  file: Record<string, unknown>,
  read: ((path: string) => string) | undefined,
  problems: Problems,
): TlsIdentity | undefined {
  // Each half: where it is set (the variable wins over the file key) and the path it names.
  const half = (
    envName: string,
    fileKey: string,
  ): { field: string; path: string | undefined } | undefined => {
    const v = env[envName]?.trim();
    if (v) return { field: envName, path: v };
    const f = file[fileKey];
    if (f === undefined || f === null) return undefined;
    if (typeof f === 'string' && f.trim() !== '') return { field: `CONFIG tls.${fileKey}`, path: f.trim() };
    problems.add(`CONFIG tls.${fileKey}`, `expected the path of a PEM file, got ${shown(f)}`);
    return { field: `CONFIG tls.${fileKey}`, path: undefined };
  };
  const cert = half(names[0], names[1]);
  const key = half(names[2], names[3]);
  if (!cert && !key) return undefined;
  if (!cert || !key) {
    const [missingEnv, missingKey, what] = cert
      ? [names[2], names[3], 'its private key']
      : [names[0], names[1], 'its certificate'];
    const given = (cert ?? key)!.field;
    problems.add(
      given.startsWith('CONFIG') ? `CONFIG tls.${missingKey}` : missingEnv,
      `${given} is set, so ${what} is needed too (${missingEnv}, or "${missingKey}" in the config file's "tls")`,
    );
    return undefined;
  }
  const text = (h: { field: string; path: string | undefined }): string | undefined => {
    if (h.path === undefined) return undefined;
    if (h.path.includes('-----BEGIN') || h.path.includes('\n')) {
      problems.add(
        h.field,
        'expected the path of a PEM file, got PEM text: never pass key material in a variable or -e value ' +
          '(k6 archive and k6 cloud run store every -e value; docs/facts/k6.md#archive)',
      );
      return undefined;
    }
    if (!read) {
      problems.add(h.field, 'no file reader available (k6 open() works only in the init context)');
      return undefined;
    }
    try {
      return read(h.path);
    } catch (e) {
      problems.add(h.field, `cannot read ${shown(h.path)}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const certPem = text(cert);
  const keyPem = text(key);
  let ok = certPem !== undefined && keyPem !== undefined;
  if (certPem !== undefined && !CERT_BLOCK.test(certPem)) {
    ok = false;
    problems.add(
      cert.field,
      `${shown(cert.path)} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")${pemHint(certPem, 'cert', key.field)}`,
    );
  }
  if (keyPem !== undefined && ENCRYPTED_KEY.test(keyPem)) {
    ok = false;
    problems.add(
      key.field,
      `${shown(key.path)} holds an encrypted private key, which is refused: k6 would need its passphrase in the ` +
        'options (where k6 archive and the cloud keep it), and cannot read encrypted PKCS#8 at all; decrypt it into a ' +
        'file only you can read: openssl pkey -in key.pem -out key.dec.pem && chmod 600 key.dec.pem',
    );
  } else if (keyPem !== undefined && !KEY_BLOCK.test(keyPem)) {
    ok = false;
    problems.add(key.field, `${shown(key.path)} holds no ${KEY_FORMS}${pemHint(keyPem, 'key', cert.field)}`);
  }
  if (!ok) return undefined;
  return { certPem: certPem!, keyPem: keyPem!, certFile: cert.path!, keyFile: key.path! };
}

/** What a file that failed a check holds instead, as a hint (empty when nothing useful). */
function pemHint(text: string, expected: 'cert' | 'key', otherField: string): string {
  const label = /-----BEGIN ([A-Z0-9 #]+)-----/.exec(text)?.[1];
  if (label === undefined) {
    return expected === 'cert'
      ? ' (no PEM block at all; a DER file? convert it: openssl x509 -inform der -in cert.der -out cert.pem)'
      : ' (no PEM block at all; a DER file? convert it: openssl pkey -inform der -in key.der -out key.pem)';
  }
  if (expected === 'cert' && label.endsWith('PRIVATE KEY'))
    return ` (it holds a private key: the certificate goes here, the key in ${otherField})`;
  if (expected === 'key' && label === 'CERTIFICATE')
    return ` (it holds a certificate: the private key goes here, the certificate in ${otherField})`;
  return ` (found "-----BEGIN ${label}-----")`;
}
