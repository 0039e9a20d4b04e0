/**
 * TLS client identities in the run config (lib/config/tls.ts) and k6's `tlsAuth` in the planned
 * options (lib/plan/options.ts). The certificates are made at test time with openssl
 * (test/support/tls-pki.ts); the other key forms with node:crypto. Files are read from disk as
 * k6's open() would, with relative paths taken from PWD.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { ENV_VARS, type Env, parseRunConfig, type ScenarioKind } from '../../../lib/config/run-config.ts';
import { urlHost } from '../../../lib/plan/options.ts';
import { planRun } from '../../../lib/plan/run-plan.ts';
import { makePki, type Pki, pkiUnavailable } from '../../support/tls-pki.ts';

const unavailable = pkiUnavailable();
if (unavailable) console.warn(`test/lib/config/tls.test.ts: SKIPPED — ${unavailable}`);

const readFile = (p: string): string => readFileSync(p, 'utf8');

function problemsOf(fn: () => unknown): Array<{ field: string; message: string }> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe.skipIf(!!unavailable)('TLS client identities in the run config', () => {
  let pki: Pki;
  let file: (name: string, text: string) => string;
  beforeAll(() => {
    pki = makePki();
    file = (name, text) => {
      const p = path.join(pki.dir, name);
      writeFileSync(p, text);
      return p;
    };
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    file('rsa.pkcs1.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
    file('ec.sec1.pem', ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string);
    file(
      'enc.pkcs8.pem',
      ec.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'x',
      }) as string,
    );
    file(
      'enc.pkcs1.pem',
      rsa.privateKey.export({
        type: 'pkcs1',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'x',
      }) as string,
    );
    writeFileSync(path.join(pki.dir, 'key.der'), ec.privateKey.export({ type: 'pkcs8', format: 'der' }));
  });

  const parse = (env: Env, scenario: ScenarioKind = 'transfers') =>
    parseRunConfig(scenario, { PWD: pki.dir, ...env }, readFile);

  it('reads TLS_CERT/TLS_KEY (relative to PWD) and presents that identity to hub and relay', () => {
    const c = parse({
      TLS_CERT: 'client.crt',
      TLS_KEY: 'client.key',
      HUB_URL: 'https://hub.example:8443',
      RELAY_URL: 'https://Relay.Example/relay',
    });
    expect(c.tls?.hub).toEqual({
      certPem: pki.pem('client.crt'),
      keyPem: pki.pem('client.key'),
      certFile: 'client.crt',
      keyFile: 'client.key',
    });
    expect(c.tls?.relay).toBeUndefined();
    const { tlsAuth } = planRun(c).options;
    expect(tlsAuth).toEqual([
      { domains: ['hub.example', 'relay.example'], cert: pki.pem('client.crt'), key: pki.pem('client.key') },
    ]);
    // k6 unmarshals each entry strictly (cert, key, password, domains only).
    expect(Object.keys(tlsAuth![0]!).sort()).toEqual(['cert', 'domains', 'key']);
  });

  it('gives the relay its own identity with RELAY_TLS_CERT/RELAY_TLS_KEY, the hub entry first', () => {
    const c = parse({
      TLS_CERT: pki.clientCert,
      TLS_KEY: pki.clientKey,
      RELAY_TLS_CERT: pki.strangerCert,
      RELAY_TLS_KEY: pki.strangerKey,
      HUB_URL: 'https://hub.example',
      RELAY_URL: 'https://payer-sim.example:4302/relay',
    });
    expect(planRun(c).options.tlsAuth).toEqual([
      { domains: ['hub.example'], cert: pki.pem('client.crt'), key: pki.pem('client.key') },
      { domains: ['payer-sim.example'], cert: pki.pem('stranger.crt'), key: pki.pem('stranger.key') },
    ]);
  });

  it('reads the config file tls block, the environment winning field by field', () => {
    const cfg = file(
      'cfg.json',
      JSON.stringify({
        hubUrl: 'https://127.0.0.1:4300',
        tls: { cert: 'stranger.crt', key: 'client.key', relayCert: 'stranger.crt', relayKey: 'stranger.key' },
      }),
    );
    const c = parse({ CONFIG: cfg, TLS_CERT: 'client.crt' });
    expect(c.tls?.hub?.certFile).toBe('client.crt');
    expect(c.tls?.hub?.keyFile).toBe('client.key');
    expect(c.tls?.relay?.certFile).toBe('stranger.crt');
    // The relay URL defaults to the hub's: both entries name its host.
    expect(planRun(c).options.tlsAuth?.map((e) => e.domains)).toEqual([['127.0.0.1'], ['127.0.0.1']]);
  });

  it('accepts PKCS#8, PKCS#1 (RSA) and SEC1 (EC) keys', () => {
    for (const key of ['client.key', 'rsa.pkcs1.pem', 'ec.sec1.pem']) {
      expect(parse({ TLS_CERT: 'client.crt', TLS_KEY: key }).tls?.hub?.keyFile).toBe(key);
    }
  });

  it('names the outbound API host for the outbound scenario, {payer} as a wildcard', () => {
    const c = parse(
      {
        TLS_CERT: 'client.crt',
        TLS_KEY: 'client.key',
        HUB_URL: 'https://hub.example',
        OUTBOUND_URL: 'https://{payer}.sdk.example/outbound',
      },
      'outbound',
    );
    expect(planRun(c).options.tlsAuth?.[0]?.domains).toEqual(['hub.example', '*.sdk.example']);
  });

  it('leaves tlsAuth out without an identity', () => {
    const c = parse({});
    expect(c.tls).toBeUndefined();
    expect('tlsAuth' in planRun(c).options).toBe(false);
  });

  const refusals: Array<[string, () => Env, string, RegExp]> = [
    ['a certificate without its key', () => ({ TLS_CERT: 'client.crt' }), 'TLS_KEY', /TLS_CERT is set/],
    [
      'a relay key without its certificate',
      () => ({ RELAY_TLS_KEY: 'client.key' }),
      'RELAY_TLS_CERT',
      /RELAY_TLS_KEY is set.*certificate/,
    ],
    [
      'a key where the certificate goes',
      () => ({ TLS_CERT: 'client.key', TLS_KEY: 'client.key' }),
      'TLS_CERT',
      /no PEM certificate.*holds a private key.*TLS_KEY/,
    ],
    [
      'a certificate where the key goes',
      () => ({ TLS_CERT: 'client.crt', TLS_KEY: 'client.crt' }),
      'TLS_KEY',
      /PKCS#8.*PKCS#1.*SEC1.*holds a certificate/,
    ],
    [
      'an encrypted PKCS#8 key',
      () => ({ TLS_CERT: 'client.crt', TLS_KEY: 'enc.pkcs8.pem' }),
      'TLS_KEY',
      /encrypted private key.*openssl pkey -in key.pem -out key.dec.pem/,
    ],
    [
      'an encrypted PKCS#1 key (Proc-Type header)',
      () => ({ TLS_CERT: 'client.crt', TLS_KEY: 'enc.pkcs1.pem' }),
      'TLS_KEY',
      /encrypted private key/,
    ],
    [
      'a DER key',
      () => ({ TLS_CERT: 'client.crt', TLS_KEY: 'key.der' }),
      'TLS_KEY',
      /DER file\? convert it: openssl pkey -inform der/,
    ],
    [
      'PEM text in the variable',
      () => ({ TLS_CERT: 'client.crt', TLS_KEY: pki.pem('client.key') }),
      'TLS_KEY',
      /path of a PEM file, got PEM text.*k6 archive/,
    ],
    [
      'a missing file',
      () => ({ TLS_CERT: 'nope.crt', TLS_KEY: 'client.key' }),
      'TLS_CERT',
      /cannot read "nope.crt"/,
    ],
    [
      'an unknown key in the tls block',
      () => ({
        CONFIG: file(
          'bad1.json',
          JSON.stringify({ tls: { cert: 'client.crt', key: 'client.key', password: 'x' } }),
        ),
      }),
      'CONFIG tls.password',
      /unknown key; expected one of cert, key, relayCert, relayKey/,
    ],
    [
      'a tls block that is not an object',
      () => ({ CONFIG: file('bad2.json', JSON.stringify({ tls: 'client.crt' })) }),
      'CONFIG tls',
      /expected \{"cert"/,
    ],
    [
      'a file key without its certificate',
      () => ({ CONFIG: file('bad3.json', JSON.stringify({ tls: { key: 'client.key' } })) }),
      'CONFIG tls.cert',
      /CONFIG tls.key is set/,
    ],
  ];
  it.each(refusals)('refuses %s, naming %s', (_what, env, field, message) => {
    const problems = problemsOf(() => parse(env()));
    const p = problems.find((x) => x.field === field);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
    // Never key material in a message.
    const keyLine = pki.pem('client.key').split('\n')[1]!;
    for (const q of problems) expect(q.message).not.toContain(keyLine);
  });

  it('needs a file reader', () => {
    const problems = problemsOf(() =>
      parseRunConfig('transfers', { TLS_CERT: pki.clientCert, TLS_KEY: pki.clientKey }),
    );
    expect(problems.map((p) => p.field).sort()).toEqual(['TLS_CERT', 'TLS_KEY']);
    expect(problems[0]!.message).toMatch(/open\(\) works only in the init context/);
  });
});

describe('TLS settings: names and hosts', () => {
  it('lists the variables in ENV_VARS', () => {
    expect(ENV_VARS).toEqual(
      expect.arrayContaining(['TLS_CERT', 'TLS_KEY', 'RELAY_TLS_CERT', 'RELAY_TLS_KEY']),
    );
  });

  it('takes a URL host without user info, port or brackets', () => {
    expect(urlHost('https://Hub.Example:8443/x?y')).toBe('hub.example');
    expect(urlHost('https://user:pw@hub.example/')).toBe('hub.example');
    expect(urlHost('https://[::1]:4300/relay')).toBe('::1');
    expect(urlHost('http://127.0.0.1')).toBe('127.0.0.1');
  });
});
