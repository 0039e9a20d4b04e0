import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvTimestamp, parseRfc3339 } from '../../../analyzer/read/timestamps.ts';
import { TimeFormatter } from '../../support/traces/k6-output.ts';

describe('parseRfc3339', () => {
  it.each([
    ['2026-11-28T18:36:36.521650219Z', Date.UTC(2026, 10, 28, 18, 36, 36) + 521.650219],
    ['2026-11-28T18:36:36Z', Date.UTC(2026, 10, 28, 18, 36, 36)],
    ['2026-11-28T18:36:36.5Z', Date.UTC(2026, 10, 28, 18, 36, 36) + 500],
    ['2026-11-28T19:36:36.25+01:00', Date.UTC(2026, 10, 28, 18, 36, 36) + 250],
    ['2026-11-28T13:06:36.125-05:30', Date.UTC(2026, 10, 28, 18, 36, 36) + 125],
  ])('%s', (s, ms) => {
    expect(parseRfc3339(s)).toBeCloseTo(ms, 6);
  });

  it.each([
    '',
    '2026-11-28 18:36:36Z',
    '2026-11-28T18:36:36',
    'garbage-garbage-garbage',
    '2026-11-28T18:36:36.5+0100',
    '2026-1x-28T18:36:36Z',
  ])('rejects %j', (s) => {
    expect(Number.isNaN(parseRfc3339(s))).toBe(true);
  });

  it('agrees with Date.parse to the millisecond on random instants', () => {
    const tf = new TimeFormatter();
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: 0, max: 999_999 }),
        (ms, sub) => {
          const t = ms + sub / 1e6;
          const s = tf.rfc3339Nano(t);
          return Math.abs(parseRfc3339(s) - t) < 1e-3 && Math.floor(parseRfc3339(s)) === Date.parse(s);
        },
      ),
    );
  });
});

describe('parseCsvTimestamp', () => {
  const t = Date.UTC(2026, 10, 28, 18, 36, 36) + 521.650219;
  const tf = new TimeFormatter();
  it.each([
    ['unix', 1000],
    ['unix_milli', 1],
    ['unix_micro', 0.001],
    ['unix_nano', 0.000001],
    ['rfc3339', 1000],
    ['rfc3339_nano', 0.000001],
  ] as const)('reads K6_CSV_TIME_FORMAT=%s to its resolution', (format, resolution) => {
    const cell = tf.csv(t, format);
    const got = parseCsvTimestamp(cell);
    expect(got).toBeLessThanOrEqual(t + 1e-6);
    expect(t - got).toBeLessThan(resolution + 1e-3);
  });

  it('rejects non-timestamps', () => {
    for (const s of ['', 'abc', '12a4', '-5']) expect(Number.isNaN(parseCsvTimestamp(s))).toBe(true);
  });
});
