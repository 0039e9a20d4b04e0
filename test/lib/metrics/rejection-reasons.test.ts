import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_REASON_TEXT,
  MAX_REASONS_PER_VU,
  ReasonNamer,
  reasonName,
  reasonOfCheck,
  reasonText,
} from '../../../lib/metrics/rejection-reasons.ts';

describe('rejection reasons', () => {
  it.each([
    ['HTTP 400: must match pattern "^[0-9a-f]{8}-"', 'must match pattern "^[0-9a-f]{8}-"'],
    ['transfer 0b2a6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b exists', 'transfer … exists'],
    ['transfer 01JF3Z8Q6N0X2Y7V4W5T9R1S3M already sent', 'transfer … already sent'],
    ['payer 123456789 over limit 20', 'payer … over limit 20'],
    ['  two\n lines\t here ', 'two lines here'],
  ])('normalises %j', (description, text) => {
    expect(reasonText(description)).toBe(text);
  });

  it('names a reason with its code, and reads it back', () => {
    expect(reasonName('3100', 'bad')).toBe('rejected 3100: bad');
    expect(reasonName('4001', undefined)).toBe('rejected 4001');
    expect(reasonName('4001', '   ')).toBe('rejected 4001');
    expect(reasonOfCheck('rejected 3100: bad')).toBe('3100: bad');
    expect(reasonOfCheck('status is 200')).toBeUndefined();
  });

  it('keeps texts bounded and per-VU names few, whatever the hub says (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('3100', 'http400', 'none'), fc.string({ maxLength: 400 }))),
        (xs) => {
          const namer = new ReasonNamer();
          const names = new Set(xs.map(([code, d]) => namer.name(code, d)));
          for (const n of names)
            expect(n.length).toBeLessThanOrEqual('rejected http400: '.length + MAX_REASON_TEXT);
          // at most the distinct ones it kept, plus one catch-all per code
          expect(names.size).toBeLessThanOrEqual(MAX_REASONS_PER_VU + 3);
        },
      ),
    );
  });

  it('counts later descriptions under one catch-all per code once the VU has named enough', () => {
    const namer = new ReasonNamer();
    for (let i = 0; i < MAX_REASONS_PER_VU; i++)
      expect(namer.name('3100', `d${i}x`)).toBe(`rejected 3100: d${i}x`);
    expect(namer.name('3100', 'one more')).toBe('rejected 3100: (further descriptions)');
    expect(namer.name('3100', 'd0x')).toBe('rejected 3100: d0x');
  });
});
