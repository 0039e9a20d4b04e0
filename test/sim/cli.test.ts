/**
 * `npm run sim`: option parsing (flags over environment, errors naming the flag or variable) and the
 * real process: one startup line saying what listens where, /health, clean exit on SIGTERM/SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../sim/options.ts';
import { json, request } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('parseCli', () => {
  it('defaults: all-in-one on 127.0.0.1:4300, no faults', () => {
    const r = parseCli([], {});
    expect(r.ok === true && r.value).toMatchObject({
      shape: 'all-in-one',
      host: '127.0.0.1',
      port: 4300,
      faults: { name: 'none' },
    });
  });

  it('environment, overridden by flags', () => {
    const env = {
      SIM_HOST: '0.0.0.0',
      SIM_PORT: '5000',
      SIM_FAULTS: 'queue',
      SIM_ILP_SECRET: 's3',
      SIM_ILP_VERSION: '4',
      SIM_AUTH_TOKEN: 'env-secret-0123456789',
    };
    const r = parseCli([], env);
    expect(r.ok === true && r.value).toMatchObject({
      host: '0.0.0.0',
      port: 5000,
      faults: { name: 'queue' },
      ilpSecret: 's3',
      ilpVersion: 'v4',
      authToken: 'env-secret-0123456789',
    });
    expect(parseCli(['--auth-token', 'flag-secret-0123456789'], env)).toMatchObject({
      ok: true,
      value: { authToken: 'flag-secret-0123456789' },
    });
    expect(parseCli(['--ilp-version', 'v1'], env)).toMatchObject({ ok: true, value: { ilpVersion: 'v1' } });
    expect(parseCli([], {})).toMatchObject({ ok: true, value: { ilpVersion: 'v1' } });
    const f = parseCli(
      ['--port', '0', '--faults', '{"clockSkew":{"payeeMs":300}}', '--reserve', '--no-confirmation'],
      env,
    );
    expect(f.ok === true && f.value).toMatchObject({
      port: 0,
      faults: { clockSkew: { payeeMs: 300 } },
      reserveNotification: true,
      sendConfirmationToPayee: false,
    });
  });

  const bad: Array<[string[], Record<string, string>, string]> = [
    [['--port', 'x'], {}, '--port: expected an integer 0..65535'],
    [[], { SIM_PORT: '70000' }, 'SIM_PORT: expected an integer 0..65535'],
    [['--shape', 'cluster'], {}, '--shape: expected "all-in-one" or "separate"'],
    [['--faults', 'chaos'], {}, '--faults: faults: unknown preset "chaos"'],
    [[], { SIM_FAULTS: '{"queue":{}}' }, 'SIM_FAULTS: faults.queue.ratePerSec'],
    [['--participants', '[{"fspId":""}]'], {}, '--participants[0].fspId'],
    [['--participants', '{oops'], {}, '--participants: expected JSON'],
    [['--oracle', '@/nonexistent/file.json'], {}, '--oracle: cannot read /nonexistent/file.json'],
    [['--hub-url', 'localhost:1'], {}, '--hub-url: expected an http(s) URL'],
    [['--shape', 'separate', '--services', 'payer'], {}, '--hub-url: required'],
    [['--services', 'hub,db'], {}, '--services: expected a comma list'],
    [['--hub-version', '3.0'], {}, '--hub-version: expected 1.0, 1.1 or 2.0'],
    [['--ilp-version', 'v2'], {}, '--ilp-version: expected v1 or v4'],
    [[], { SIM_ILP_VERSION: 'x' }, 'SIM_ILP_VERSION: expected v1 or v4'],
    [['--max-body', '10'], {}, '--max-body: expected an integer 1024..'],
    [['--unknown-flag'], {}, 'unknown flag --unknown-flag'],
    [['--host', '0.0.0.0'], {}, '--host 0.0.0.0: not a loopback address'],
    [[], { SIM_HOST: '10.1.2.3' }, 'Set --auth-token <secret>'],
    [['--host', '::', '--shape', 'separate'], {}, 'or require client certificates with --tls-ca'],
    [['--auth-token', 'short'], {}, '--auth-token: expected 16..256 characters'],
    [[], { SIM_AUTH_TOKEN: 'has white space in it!' }, 'SIM_AUTH_TOKEN: expected 16..256 characters'],
    [['--auth-token', 'r3.abcdefghijklmnopqrstuvwxyz'], {}, 'must not start like a runner credential'],
    [['--auth-token-file', '/nonexistent/token'], {}, '--auth-token-file: cannot read /nonexistent/token'],
    [
      ['--auth-token', 'flag-secret-0123456789'],
      { SIM_AUTH_TOKEN_FILE: '/x' },
      'give the shared secret one way, not both',
    ],
    [['--relay-max-bytes', '10'], {}, '--relay-max-bytes: expected an integer 1048576..'],
  ];
  for (const [argv, env, text] of bad) {
    it(`refuses ${argv.join(' ') || JSON.stringify(env)}`, () => {
      const r = parseCli(argv, env);
      expect(r.ok).toBe(false);
      if (r.ok === false) expect(r.error).toContain(text);
    });
  }

  it('--help', () => {
    expect(parseCli(['--help'], {}).ok).toBe('help');
  });

  it('loopback addresses need no credentials; beyond loopback a token (flag, variable or file) does', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'])
      expect(parseCli(['--host', host], {}).ok, host).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-token-'));
    try {
      const file = path.join(dir, 'token');
      writeFileSync(file, 'file-secret-0123456789\n');
      expect(parseCli(['--host', '0.0.0.0', '--auth-token-file', file], {})).toMatchObject({
        ok: true,
        value: { host: '0.0.0.0', authToken: 'file-secret-0123456789' },
      });
      writeFileSync(file, 'tiny');
      const bad = parseCli([], { SIM_AUTH_TOKEN_FILE: file });
      expect(bad.ok === false && bad.error).toContain(`SIM_AUTH_TOKEN_FILE (${file}): expected 16..256`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function startProcess(args: string[]): {
  child: ChildProcess;
  firstLine: Promise<string>;
  output: () => string;
  exit: Promise<number | null>;
} {
  // `node --import tsx` runs the script in one process (the tsx CLI would add a second one).
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no startup line: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, output: () => out, exit };
}

describe('npm run sim (the process)', () => {
  it('prints where it listens, serves /health, refuses an occupied port (exit 1), exits 0 on SIGTERM', async () => {
    const p = startProcess(['--port', '0', '--no-warm-iso']);
    const bad = startProcess(['--port', 'nope']);
    try {
      const line = await p.firstLine;
      expect(line).toMatch(
        /^sim: all-in-one hub \+ DFSPs \(payerfsp, payeefsp\) \+ relay listening on http:\/\/127\.0\.0\.1:\d+ \| relay http:\/\/127\.0\.0\.1:\d+\/relay/,
      );
      const url = /listening on (\S+)/.exec(line)![1]!;
      expect(json(await request('GET', `${url}/health`))).toMatchObject({
        status: 'ok',
        service: 'all-in-one',
      });

      const second = startProcess(['--port', new URL(url).port, '--no-warm-iso']);
      expect(await second.firstLine).toContain('EADDRINUSE');
      expect(await second.exit).toBe(1);

      expect(await bad.firstLine).toContain('sim: --port: expected an integer 0..65535');
      expect(await bad.exit).toBe(2);

      p.child.kill('SIGTERM');
      expect(await p.exit).toBe(0);
      expect(p.output()).toContain('SIGTERM received, shutting down');
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      if (bad.child.exitCode === null) bad.child.kill('SIGKILL');
    }
  });

  it('refuses to listen beyond loopback without a token (exit 2, naming the flag); starts with one', async () => {
    const open = startProcess(['--host', '0.0.0.0', '--port', '0', '--no-warm-iso']);
    const guarded = startProcess([
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--no-warm-iso',
      '--auth-token',
      'process-secret-0123456789',
    ]);
    try {
      const line = await open.firstLine;
      expect(line).toContain('sim: --host 0.0.0.0: not a loopback address');
      expect(line).toContain('--auth-token');
      expect(await open.exit).toBe(2);
      const ok = await guarded.firstLine;
      expect(ok).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
      expect(ok).toContain('auth: bearer credentials required on admin, relay and DFSP callbacks');
      const port = /:(\d+) \|/.exec(ok)![1]!;
      const reset = await request('POST', `http://127.0.0.1:${port}/admin/reset`);
      expect(reset.status).toBe(401);
      guarded.child.kill('SIGTERM');
      expect(await guarded.exit).toBe(0);
    } finally {
      if (open.child.exitCode === null) open.child.kill('SIGKILL');
      if (guarded.child.exitCode === null) guarded.child.kill('SIGKILL');
    }
  });

  it('exits 0 on SIGINT too (separate shape)', async () => {
    const p = startProcess([
      '--shape',
      'separate',
      '--hub-port',
      '0',
      '--payer-port',
      '0',
      '--payee-port',
      '0',
      '--no-warm-iso',
    ]);
    try {
      expect(await p.firstLine).toMatch(/^sim: separate services \| hub http:\/\/127\.0\.0\.1:\d+/);
      p.child.kill('SIGINT');
      expect(await p.exit).toBe(0);
      expect(p.output()).toContain('SIGINT received, shutting down');
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });
});
