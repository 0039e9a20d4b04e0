import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCloudOptions,
  CloudConfigError,
  cloudOptionsFromEnv,
  parseDistribution,
} from '../../../lib/config/cloud.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof CloudConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a CloudConfigError');
}

describe('options.cloud from the environment', () => {
  it('builds name, projectID and a distribution', () => {
    expect(
      cloudOptionsFromEnv({
        K6_CLOUD_PROJECT_ID: '3456789',
        K6_CLOUD_NAME: 'mojaloop 1000 TPS',
        K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=50, amazon:ie:dublin=50',
      }),
    ).toEqual({
      name: 'mojaloop 1000 TPS',
      projectID: 3456789,
      distribution: {
        amazon_us_ashburn: { loadZone: 'amazon:us:ashburn', percent: 50 },
        amazon_ie_dublin: { loadZone: 'amazon:ie:dublin', percent: 50 },
      },
    });
  });

  it('is undefined when nothing is set, and uses the fallback name otherwise', () => {
    expect(cloudOptionsFromEnv({})).toBeUndefined();
    expect(cloudOptionsFromEnv({ K6_CLOUD_NAME: '  ' })).toBeUndefined();
    expect(cloudOptionsFromEnv({}, 'mojaloop-k6 load')).toEqual({ name: 'mojaloop-k6 load' });
    expect(cloudOptionsFromEnv({ K6_CLOUD_NAME: 'x' }, 'fallback')).toEqual({ name: 'x' });
  });

  it('never carries a token, whatever the environment holds', () => {
    const opts = cloudOptionsFromEnv({ K6_CLOUD_TOKEN: 'secret', K6_CLOUD_NAME: 'n' });
    expect(JSON.stringify(opts)).not.toContain('secret');
  });

  it.each([
    [{ K6_CLOUD_PROJECT_ID: 'abc' }, /K6_CLOUD_PROJECT_ID: expected a positive integer/],
    [{ K6_CLOUD_PROJECT_ID: '0' }, /K6_CLOUD_PROJECT_ID/],
    [{ K6_CLOUD_PROJECT_ID: '-4' }, /K6_CLOUD_PROJECT_ID/],
    [{ K6_CLOUD_NAME: 'a\u0007b' }, /K6_CLOUD_NAME: expected a non-empty test name/],
    [
      { K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=60,amazon:ie:dublin=50' },
      /add up to 100, they add up to 110/,
    ],
    [{ K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn' }, /expected "zone=percent"/],
    [{ K6_CLOUD_DISTRIBUTION: 'ashburn=100' }, /provider:country:city/],
    [{ K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=50.5,amazon:ie:dublin=49.5' }, /whole number 1\.\.100/],
    [{ K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=0,amazon:ie:dublin=100' }, /whole number 1\.\.100/],
    [{ K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=50,amazon:us:ashburn=50' }, /listed twice/],
  ])('refuses %o', (env, message) => {
    expect(problemsOf(() => cloudOptionsFromEnv(env)).join('\n')).toMatch(message);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(() =>
      cloudOptionsFromEnv({ K6_CLOUD_PROJECT_ID: 'x', K6_CLOUD_DISTRIBUTION: 'nowhere=100' }),
    );
    expect(problems).toHaveLength(2);
  });

  it('accepts a config-file object distribution too', () => {
    expect(buildCloudOptions({ distribution: { 'amazon:us:ashburn': 100 }, projectID: 7 })).toEqual({
      projectID: 7,
      distribution: { amazon_us_ashburn: { loadZone: 'amazon:us:ashburn', percent: 100 } },
    });
  });

  it('accepts any split of 100 over distinct zones, and nothing else', () => {
    const zones = [
      'amazon:us:ashburn',
      'amazon:ie:dublin',
      'amazon:jp:tokyo',
      'amazon:br:sao-paulo',
      'amazon:au:sydney',
    ];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }), (percents) => {
        const text = percents.map((p, i) => `${zones[i]}=${p}`).join(',');
        const total = percents.reduce((a, b) => a + b, 0);
        const problems: string[] = [];
        const d = parseDistribution(text, 'K6_CLOUD_DISTRIBUTION', problems);
        if (total === 100) {
          expect(problems).toEqual([]);
          expect(Object.values(d!).reduce((a, z) => a + z.percent, 0)).toBe(100);
        } else {
          expect(d).toBeUndefined();
          expect(problems.join()).toContain(`they add up to ${total}`);
        }
      }),
    );
  });
});
