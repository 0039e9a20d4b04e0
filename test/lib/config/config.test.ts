import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { k6Duration, parseDurationMs } from '../../../lib/config/duration.ts';
import { ConfigError, Problems } from '../../../lib/config/errors.ts';
import { msisdnAt, PairPicker, parsePool } from '../../../lib/config/pool.ts';
import { type Env, parseRunConfig, resolvePath } from '../../../lib/config/run-config.ts';

function problemsOf(fn: () => unknown): Array<{ field: string; message: string }> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function withFile(json: unknown, env: Env = {}): () => unknown {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  return () =>
    parseRunConfig('transfers', { CONFIG: '/cfg.json', ...env }, (p) => {
      if (p !== '/cfg.json') throw new Error(`no such file ${p}`);
      return text;
    });
}

describe('parseRunConfig defaults', () => {
  it('gives the smoke profile against the embedded simulator with no variables', () => {
    const c = parseRunConfig('transfers', {});
    expect(c).toMatchObject({
      profile: 'smoke',
      targetTps: 5,
      durationMs: 30_000,
      parallelism: 1,
      mode: 'collect',
      api: 'fspiop',
      fspiopVersion: '1.1',
      expectedLatencyMs: 50,
      timeoutMs: 10_000,
      hubUrl: 'http://127.0.0.1:4300',
      relayUrl: 'http://127.0.0.1:4300/relay',
      outboundUrl: 'http://127.0.0.1:4300/dfsp/payerfsp/outbound',
      runner: undefined,
      resultsDir: 'results',
      amount: '1',
      currency: 'XXX',
    });
    expect(c.pool.pairs).toEqual([{ payer: 'payerfsp', payee: 'payeefsp', weight: 1 }]);
  });

  it('uses 1000 TPS for the load profiles and per-mode hold latencies', () => {
    expect(parseRunConfig('transfers', { PROFILE: 'load' }).targetTps).toBe(1000);
    expect(parseRunConfig('transfers', { MODE: 'wait' }).expectedLatencyMs).toBe(500);
    expect(parseRunConfig('e2e', {}).expectedLatencyMs).toBe(1500);
    expect(parseRunConfig('e2e', {}).mode).toBe('wait');
    expect(parseRunConfig('transfers', { API: 'iso20022' }).fspiopVersion).toBe('2.0');
  });

  it('derives the relay and outbound URLs from HUB_URL and strips trailing slashes', () => {
    const c = parseRunConfig('transfers', { HUB_URL: 'http://hub.local:8080/' });
    expect(c.relayUrl).toBe('http://hub.local:8080/relay');
    expect(c.outboundUrl).toBe('http://hub.local:8080/dfsp/payerfsp/outbound');
  });

  it('lets the environment override the file', () => {
    const c = withFile(
      { timeoutMs: 5000, currency: 'USD', amount: '10.5' },
      { TIMEOUT_MS: '7000' },
    )() as ReturnType<typeof parseRunConfig>;
    expect(c.timeoutMs).toBe(7000);
    expect(c.currency).toBe('USD');
    expect(c.amount).toBe('10.5');
  });
});

describe('parseRunConfig errors name the field and the expected form', () => {
  const cases: Array<[Env, string, RegExp]> = [
    [{ PROFILE: 'stress' }, 'PROFILE', /one of "smoke", "load", "ramp", "soak", "breakpoint"/],
    [{ TARGET_TPS: 'fast' }, 'TARGET_TPS', /positive number/],
    [{ TARGET_TPS: '0' }, 'TARGET_TPS', /positive number/],
    [{ TARGET_TPS: '-5' }, 'TARGET_TPS', /positive number/],
    [{ DURATION: '60' }, 'DURATION', /k6 duration such as "30s"/],
    [{ PROFILE: 'soak', DURATION: '30m' }, 'DURATION', /at least 1h/],
    [{ PARALLELISM: '0' }, 'PARALLELISM', /integer from 1 to 1024/],
    [{ PARALLELISM: '2.5' }, 'PARALLELISM', /integer/],
    [{ MODE: 'fire' }, 'MODE', /"collect", "wait"/],
    [{ API: 'soap' }, 'API', /"fspiop", "iso20022"/],
    [{ FSPIOP_VERSION: '3.0' }, 'FSPIOP_VERSION', /"1.0", "1.1", "2.0"/],
    [{ API: 'iso20022', FSPIOP_VERSION: '1.1' }, 'FSPIOP_VERSION', /only with version 2.0/],
    [{ TIMEOUT_MS: '10s' }, 'TIMEOUT_MS', /integer from 100/],
    [{ HUB_URL: 'localhost:4300' }, 'HUB_URL', /absolute http\(s\) URL/],
    [{ RUNNER: '1024' }, 'RUNNER', /0 to 1023/],
    [{ RUNNER: '3', PARALLELISM: '2' }, 'RUNNER', /outside 0..1/],
    [{ EXPECTED_LATENCY_MS: 'slow' }, 'EXPECTED_LATENCY_MS', /positive number/],
    [{ AMOUNT: '1.50' }, 'AMOUNT', /FSPIOP amount/],
    [{ CURRENCY: 'usd' }, 'CURRENCY', /3-letter/],
    [{ AMOUNT: '1.001', CURRENCY: 'USD' }, 'AMOUNT', /USD has 2 decimals/],
    [{ CONFIG: '/missing.json' }, 'CONFIG', /cannot read/],
  ];
  it.each(cases)('%j → %s', (env, field, message) => {
    const problems = problemsOf(() =>
      parseRunConfig('transfers', env, () => {
        throw new Error('ENOENT');
      }),
    );
    const p = problems.find((x) => x.field === field);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
  });

  it('reports every problem at once, in one message', () => {
    try {
      parseRunConfig('transfers', { PROFILE: 'x', TARGET_TPS: 'y', MODE: 'z' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.field)).toEqual(['PROFILE', 'TARGET_TPS', 'MODE']);
      expect((e as Error).message).toMatch(/3 problems/);
    }
  });

  it('refuses MODE=collect for the e2e and outbound scenarios and ISO for outbound', () => {
    expect(problemsOf(() => parseRunConfig('e2e', { MODE: 'collect' }))[0]!.field).toBe('MODE');
    expect(problemsOf(() => parseRunConfig('outbound', { API: 'iso20022' }))[0]!.field).toBe('API');
    expect(problemsOf(() => parseRunConfig('e2e', { API: 'iso20022' }))[0]!.message).toMatch(
      /POST \/transfers/,
    );
    for (const kind of ['uuid', 'uuid4']) {
      expect(
        problemsOf(() => parseRunConfig('transfers', { API: 'iso20022', ID_KIND: kind }))[0],
      ).toMatchObject({ field: 'ID_KIND', message: expect.stringMatching(/needs ULID.*use "ulid"/) });
    }
  });
});

describe('the JSON config file', () => {
  const dfsps = [
    { id: 'a', msisdn: { first: '27710000000', count: 10 } },
    { id: 'b', msisdn: { first: '27720000000', count: 10 } },
  ];
  const cases: Array<[unknown, string, RegExp]> = [
    ['{not json', 'CONFIG', /not valid JSON/],
    [[1, 2], 'CONFIG', /JSON object/],
    [{ dfsp: [] }, 'CONFIG dfsp', /unknown key/],
    [{ dfsps, pairs: [] }, 'CONFIG pairs', /must not be empty/],
    [{ dfsps: [], pairs: [{ payer: 'a', payee: 'b' }] }, 'CONFIG dfsps', /non-empty array/],
    [{ dfsps, pairs: [{ payer: 'a', payee: 'zz', weight: 1 }] }, 'CONFIG pairs[0].payee', /unknown FSP "zz"/],
    [{ dfsps, pairs: [{ payer: 'a', payee: 'b', weight: 0 }] }, 'CONFIG pairs[0].weight', /positive number/],
    [{ dfsps, pairs: [{ payer: 'a', payee: 'b', weight: -2 }] }, 'CONFIG pairs[0].weight', /positive number/],
    [{ dfsps, pairs: [{ payer: 'a', payee: 'a', weight: 1 }] }, 'CONFIG pairs[0]', /two different FSPs/],
    [
      {
        dfsps,
        pairs: [
          { payer: 'a', payee: 'b' },
          { payer: 'a', payee: 'b' },
        ],
      },
      'CONFIG pairs[1]',
      /listed twice/,
    ],
    [
      { dfsps: [{ id: 'a', msisdn: { first: '0123', count: 1 } }], pairs: [] },
      'CONFIG dfsps[0].msisdn.first',
      /MSISDN/,
    ],
    [
      { dfsps: [{ id: 'a', msisdn: { first: '27710000000', count: 0 } }], pairs: [] },
      'CONFIG dfsps[0].msisdn.count',
      /positive integer/,
    ],
    [
      { dfsps: [{ id: 'a', msisdn: { first: '99999', count: 2 } }], pairs: [] },
      'CONFIG dfsps[0].msisdn',
      /overflows/,
    ],
    [{ dfsps: [dfsps[0], dfsps[0]], pairs: [] }, 'CONFIG dfsps[1].id', /listed twice/],
    [
      { dfsps: [{ id: 'x'.repeat(33), msisdn: dfsps[0]!.msisdn }], pairs: [] },
      'CONFIG dfsps[0].id',
      /1 to 32/,
    ],
    [{ jws: { keyFile: '/cfg.json' } }, 'CONFIG jws.keyFile', /no PKCS#8 PEM private key/],
    [{ jws: { keyFile: '/cfg.json', alg: 'HS256' } }, 'CONFIG jws.alg', /RS256.*ES256/],
    [{ jws: 'key.pem' }, 'CONFIG jws', /keyFile/],
    [{ ilpSecret: '' }, 'CONFIG ilpSecret', /non-empty/],
    [{ timeoutMs: [1] }, 'CONFIG timeoutMs', /string or number/],
  ];
  it.each(cases)('%j → %s', (json, field, message) => {
    const problems = problemsOf(withFile(json));
    const p = problems.find((x) => x.field === field);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
  });

  it('accepts a valid pool with weights and reads a JWS key file', () => {
    const files: Record<string, string> = {
      '/cfg.json': JSON.stringify({
        dfsps,
        pairs: [
          { payer: 'a', payee: 'b', weight: 3 },
          { payer: 'b', payee: 'a' },
        ],
        jws: { keyFile: 'k.pem' },
      }),
      '/run/k.pem': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    };
    const c = parseRunConfig('transfers', { CONFIG: '/cfg.json', PWD: '/run' }, (p) => {
      const f = files[p];
      if (f === undefined) throw new Error(`no ${p}`);
      return f;
    });
    expect(c.pool.pairs).toEqual([
      { payer: 'a', payee: 'b', weight: 3 },
      { payer: 'b', payee: 'a', weight: 1 },
    ]);
    expect(c.jws?.keyFile).toBe('k.pem');
  });

  it('resolves relative paths against PWD (k6 would resolve them against the bundle)', () => {
    expect(resolvePath('cfg/pool.json', { PWD: '/home/op/' })).toBe('/home/op/cfg/pool.json');
    expect(resolvePath('./pool.json', { PWD: '/x' })).toBe('/x/pool.json');
    expect(resolvePath('/abs/pool.json', { PWD: '/x' })).toBe('/abs/pool.json');
    expect(resolvePath('pool.json', {})).toBe('pool.json');
  });
});

describe('pairs and MSISDNs', () => {
  it('picks pairs in proportion to their weights (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), (weights) => {
        const pairs = weights.map((w, i) => ({ payer: `p${i}`, payee: `q${i}`, weight: w }));
        const picker = new PairPicker(pairs);
        const total = weights.reduce((a, b) => a + b, 0);
        const counts = new Array<number>(weights.length).fill(0);
        const n = total * 50;
        // Evenly spaced u values: each pair must get exactly its share of the unit interval.
        for (let k = 0; k < n; k++) counts[picker.pickIndex((k + 0.5) / n)]! += 1;
        expect(counts).toEqual(weights.map((w) => w * 50));
      }),
    );
  });

  it('never picks outside the MSISDN range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (count, u) => {
          const m = msisdnAt({ first: '27710000000', count }, u);
          const n = Number(m);
          expect(n).toBeGreaterThanOrEqual(27710000000);
          expect(n).toBeLessThan(27710000000 + count);
        },
      ),
    );
  });

  it('accepts pools without problems', () => {
    const problems = new Problems();
    parsePool(
      [
        { id: 'a', msisdn: { first: '12345', count: 1 } },
        { id: 'b', msisdn: { first: '22345', count: 1 } },
      ],
      [{ payer: 'a', payee: 'b', weight: 0.5 }],
      problems,
    );
    expect(problems.list).toEqual([]);
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5m', 90_000],
    ['1.5h', 5_400_000],
    ['0s', 0],
    ['0', 0],
  ])('%s = %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['60', '90', '', '1d', 'm', 's30', '-3s', '5m junk', '5x'])('refuses %j', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
  it('round-trips whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (s) => {
        expect(parseDurationMs(k6Duration(s * 1000))).toBe(s * 1000);
      }),
    );
  });
});

describe('pooled randomness', () => {
  it('hands out every random byte once, in order, and falls back for large requests', async () => {
    const { pooledRandom } = await import('../../../lib/flows/random-pool.ts');
    let counter = 0;
    let calls = 0;
    const base = {
      sha256: (d: Uint8Array) => d,
      hmacSha256: (_k: Uint8Array, d: Uint8Array) => d,
      randomBytes: (n: number) => {
        calls++;
        return Uint8Array.from({ length: n }, () => counter++ & 0xff);
      },
    };
    const pool = pooledRandom(base, 64);
    const seen: number[] = [];
    for (const n of [14, 24, 14, 24, 14]) seen.push(...pool.randomBytes(n));
    // 90 bytes from 64-byte blocks: a block is never split across a request, nothing is reused.
    expect(new Set(seen).size).toBe(seen.length);
    expect(calls).toBe(2);
    expect(pool.randomBytes(100)).toHaveLength(100);
    expect(calls).toBe(3);
  });
});

describe('default ids fit the API version', () => {
  it.each([
    [{}, 'uuid'],
    [{ FSPIOP_VERSION: '1.0' }, 'uuid'],
    [{ FSPIOP_VERSION: '1.1' }, 'uuid'],
    [{ FSPIOP_VERSION: '2.0' }, 'ulid'],
    [{ API: 'iso20022' }, 'ulid'],
    [{ FSPIOP_VERSION: '1.1', ID_KIND: 'ulid' }, 'ulid'],
    [{ ID_KIND: 'uuid4' }, 'uuid4'],
  ] as const)('%j → %s', (env, kind) => {
    expect(parseRunConfig('transfers', env).idKind).toBe(kind);
  });

  it('refuses an unknown kind, naming the choices', () => {
    expect(() => parseRunConfig('transfers', { ID_KIND: 'guid' })).toThrow(
      /ID_KIND: expected one of "ulid", "uuid", "uuid4", got "guid"/,
    );
  });
});
