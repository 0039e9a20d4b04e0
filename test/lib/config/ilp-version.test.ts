/** ILP_VERSION / `ilpVersion`: defaults per API, precedence, aliases, and what ISO 20022 refuses. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { ENV_VARS, type Env, parseRunConfig } from '../../../lib/config/run-config.ts';
import { prepareFlows } from '../../../lib/flows/plan.ts';
import { prepareTransfer } from '../../../lib/flows/transfer-post.ts';
import { ilpVersionOfPacket } from '../../../lib/protocol/ilp.ts';
import { nodeCrypto } from '../../../node/crypto.ts';

const parse = (env: Env, file?: Record<string, unknown>) =>
  parseRunConfig(
    'transfers',
    file ? { CONFIG: 'c.json', ...env } : env,
    file ? () => JSON.stringify(file) : undefined,
  );

function problems(env: Env, file?: Record<string, unknown>): Array<[string, string]> {
  try {
    parse(env, file);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => [p.field, p.message]);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('ILP_VERSION', () => {
  it('defaults: v1 for FSPIOP 1.0, 1.1 and 2.0; v4 for ISO 20022', () => {
    for (const v of ['1.0', '1.1', '2.0']) expect(parse({ FSPIOP_VERSION: v }).ilpVersion).toBe('v1');
    expect(parse({}).ilpVersion).toBe('v1');
    expect(parse({ API: 'iso20022' }).ilpVersion).toBe('v4');
  });

  it('env over file; "1" and "4" as the SDK writes them', () => {
    expect(parse({}, { ilpVersion: 'v4' }).ilpVersion).toBe('v4');
    expect(parse({}, { ilpVersion: 4 }).ilpVersion).toBe('v4');
    expect(parse({ ILP_VERSION: 'v1' }, { ilpVersion: 'v4' }).ilpVersion).toBe('v1');
    expect(parse({ ILP_VERSION: '4' }).ilpVersion).toBe('v4');
    expect(parse({ API: 'iso20022', ILP_VERSION: 'v4' }).ilpVersion).toBe('v4');
    expect(ENV_VARS).toContain('ILP_VERSION');
  });

  it('refuses unknown versions and v1 with ISO 20022, naming the field', () => {
    expect(problems({ ILP_VERSION: 'v2' })).toEqual([
      ['ILP_VERSION', 'expected one of "v1", "v4", got "v2"'],
    ]);
    const [iso] = problems({ API: 'iso20022', ILP_VERSION: 'v1' });
    expect(iso![0]).toBe('ILP_VERSION');
    expect(iso![1]).toMatch(/ILP v4 Prepare .*use "v4"/);
    expect(problems({ API: 'iso20022' }, { ilpVersion: '1' })[0]![0]).toBe('CONFIG ilpVersion');
  });

  it.each([
    ['fixed', 'v1'],
    ['fixed', 'v4'],
    ['per-transfer', 'v1'],
    ['per-transfer', 'v4'],
  ])('reaches the flows: ILP_MODE=%s ILP_VERSION=%s sends packets of that version', (mode, version) => {
    const config = parse({ ILP_MODE: mode, ILP_VERSION: version });
    const plan = prepareFlows(config, nodeCrypto);
    const ctx = { now: () => Date.UTC(2030, 0, 1), random: Math.random, crypto: nodeCrypto, runner: 0 };
    const body = JSON.parse(prepareTransfer(plan, ctx).request.body!);
    expect(ilpVersionOfPacket(body.ilpPacket)).toBe(version);
  });
});
