/**
 * Test support: a throw-away PKI made at test time with the `openssl` command (nothing is checked
 * in). One CA signs a server certificate (for `localhost` and 127.0.0.1, valid for server and
 * client auth, so the simulator can also present it on its own outgoing calls) and a client
 * certificate; a second, unrelated CA signs a "stranger" client certificate the first CA refuses.
 * Keys are P-256, written unencrypted as PKCS#8 (`-----BEGIN PRIVATE KEY-----`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Why the PKI cannot be made here (no openssl), or undefined when it can. */
export function pkiUnavailable(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'the openssl command is not on PATH (needed to make test certificates)';
}

export interface Pki {
  dir: string;
  /** File paths. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA the simulator does not trust, and a client identity it signed. */
  otherCaCert: string;
  strangerCert: string;
  strangerKey: string;
  /** The text of a file of this PKI. */
  pem(file: string): string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): string {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
  return path.join(dir, name);
}

function newCa(dir: string, name: string, cn: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    `/CN=${cn}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    `${name}.crt`,
  ]);
}

function issue(dir: string, ca: string, name: string, cn: string, ext: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

/** Makes the PKI in a new temporary directory (about 0.2 s). */
export function makePki(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'mk6-pki-'));
  newCa(dir, 'ca', 'mojaloop-k6 test CA');
  newCa(dir, 'other-ca', 'some other CA');
  issue(
    dir,
    'ca',
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  issue(dir, 'ca', 'client', 'payerfsp', 'extendedKeyUsage=clientAuth\n');
  issue(dir, 'other-ca', 'stranger', 'stranger', 'extendedKeyUsage=clientAuth\n');
  const at = (f: string): string => path.join(dir, f);
  return {
    dir,
    caCert: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    otherCaCert: at('other-ca.crt'),
    strangerCert: at('stranger.crt'),
    strangerKey: at('stranger.key'),
    pem: (file) => readFileSync(path.isAbsolute(file) ? file : at(file), 'utf8'),
  };
}
