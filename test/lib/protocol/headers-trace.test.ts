/**
 * Headers as the reference hub validates them, and the trace context. The hub's checks are
 * written out here independently (from docs/facts/mojaloop.md#headers / central-services-shared header validation),
 * not imported from the code under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptHeader,
  contentType,
  FSPIOP_VERSIONS,
  type FspiopVersion,
  fspiopHeaders,
  httpDate,
  parseAccept,
  parseContentType,
} from '../../../lib/protocol/headers.ts';
import {
  childTraceparent,
  E2E_START_KEY,
  e2eStartMs,
  newTraceContext,
  parseTraceparent,
  tracestateMember,
} from '../../../lib/protocol/trace.ts';
import { nodeCrypto } from '../../../node/crypto.ts';

/** The hub's Content-Type check: one media type, `version=major.minor`, at most one space around `;`. */
const hubContentType = (resource: string, iso: boolean) =>
  new RegExp(
    `^application/vnd\\.interoperability\\.${iso ? 'iso20022\\.' : ''}${resource}\\+json\\s{0,1};\\s{0,1}version=(\\d+\\.\\d+)$`,
  );
/** The hub's Accept check: a comma list of the media type, version optional, `major[.minor]`. */
const hubAccept = (resource: string, iso: boolean) => {
  const one = `application/vnd\\.interoperability\\.${iso ? 'iso20022\\.' : ''}${resource}\\+json(\\s{0,1};\\s{0,1}version=\\d+(\\.\\d+)?)?`;
  return new RegExp(`^${one}(,${one})*$`);
};
const HUB_CONTENT_VERSIONS = ['1.0', '1.1', '2.0'];
const HUB_ACCEPT_VERSIONS = ['1', '1.0', '1.1', '2', '2.0'];
/** IMF-fixdate, what joi-date's 'ddd, DD MMM YYYY HH:mm:ss [GMT]' accepts. */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RESOURCES = [
  'transfers',
  'quotes',
  'parties',
  'participants',
  'transactionRequests',
  'bulkTransfers',
  'fxTransfers',
];

describe('FSPIOP headers', () => {
  it('property: every resource x version x flavour passes the hub checks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RESOURCES),
        fc.constantFrom(...FSPIOP_VERSIONS),
        fc.boolean(),
        fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }),
        (resource, version, iso, now) => {
          if (iso && version !== '2.0') {
            expect(() => contentType(resource, version, 'iso20022')).toThrow(
              /ISO 20022 bodies need FSPIOP version 2/,
            );
            return;
          }
          const make = fspiopHeaders({
            resource,
            version,
            api: iso ? 'iso20022' : 'fspiop',
            source: 'payerfsp',
            destination: 'payeefsp',
          });
          const h = make(now);
          const ct = hubContentType(resource, iso).exec(h['Content-Type']!);
          expect(ct?.[1]).toBe(version);
          expect(HUB_CONTENT_VERSIONS).toContain(ct?.[1]);
          expect(h.Accept).toMatch(hubAccept(resource, iso));
          expect(HUB_ACCEPT_VERSIONS).toContain(/version=([\d.]+)/.exec(h.Accept!)?.[1]);
          expect(h.Date).toMatch(IMF_FIXDATE);
          expect(Date.parse(h.Date!)).toBe(Math.floor(now / 1000) * 1000);
          expect(h.Date).toBe(httpDate(now));
          expect(h['FSPIOP-Source']).toBe('payerfsp');
          expect(h['FSPIOP-Destination']).toBe('payeefsp');
          // A different resource's validator refuses it (the hub matches the first path segment).
          expect(h['Content-Type']).not.toMatch(
            hubContentType(resource === 'quotes' ? 'transfers' : 'quotes', iso),
          );
          expect(parseContentType(h['Content-Type']!)).toEqual({
            api: iso ? 'iso20022' : 'fspiop',
            resource,
            version,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: parseContentType / parseAccept agree with the hub regexes on generated header text', () => {
    const media = fc
      .record({
        iso: fc.boolean(),
        resource: fc.constantFrom('transfers', 'quotes'),
        sp1: fc.constantFrom('', ' ', '  '),
        sp2: fc.constantFrom('', ' ', '\t'),
        version: fc.constantFrom('1', '1.1', '2.0', '10.25', '1.', 'x', ''),
        withVersion: fc.boolean(),
      })
      .map((r) => ({
        ...r,
        text: `application/vnd.interoperability.${r.iso ? 'iso20022.' : ''}${r.resource}+json${r.withVersion ? `${r.sp1};${r.sp2}version=${r.version}` : ''}`,
      }));
    fc.assert(
      fc.property(media, fc.array(media, { minLength: 1, maxLength: 3 }), (m, list) => {
        expect(parseContentType(m.text) !== undefined).toBe(hubContentType(m.resource, m.iso).test(m.text));
        const same = list.map((x) => ({ ...x, iso: list[0]!.iso, resource: list[0]!.resource }));
        const text = same.map((x) => x.text.replace(x.resource, same[0]!.resource)).join(',');
        expect(parseAccept(text) !== undefined).toBe(hubAccept(same[0]!.resource, same[0]!.iso).test(text));
      }),
      { numRuns: 400 },
    );
  });

  it('Accept options, callbacks without Accept, FSPIOP-URI/Method, per-request parts', () => {
    const put = fspiopHeaders({
      resource: 'transfers',
      version: '1.1',
      source: 'payeefsp',
      destination: 'payerfsp',
      accept: false,
      httpMethod: 'PUT',
    });
    const h = put(Date.UTC(2026, 10, 28, 10, 0, 0, 999), {
      uri: '/transfers/01JBVM14S6SC453EY9XB9GXQB5',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'tx_end2end_start_ts=1',
      signature: '{"signature":"s","protectedHeader":"p"}',
    });
    expect(h).toEqual({
      'Content-Type': 'application/vnd.interoperability.transfers+json;version=1.1',
      'FSPIOP-Source': 'payeefsp',
      'FSPIOP-Destination': 'payerfsp',
      'FSPIOP-HTTP-Method': 'PUT',
      Date: 'Sat, 28 Nov 2026 10:00:00 GMT',
      'FSPIOP-URI': '/transfers/01JBVM14S6SC453EY9XB9GXQB5',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'tx_end2end_start_ts=1',
      'FSPIOP-Signature': '{"signature":"s","protectedHeader":"p"}',
    });
    const get = fspiopHeaders({ resource: 'parties', version: '1.1', source: 'payerfsp', accept: '1' });
    const g = get(0);
    expect(g.Accept).toBe('application/vnd.interoperability.parties+json;version=1');
    expect(g['FSPIOP-Destination']).toBeUndefined();
    // Fresh object per call, Date follows the clock across a second boundary.
    const a = get(1999);
    const b = get(2000);
    expect(a).not.toBe(b);
    expect(a.Date).not.toBe(b.Date);
    a.extra = 'x';
    expect(get(2000).extra).toBeUndefined();
  });

  it('refuses bad configuration naming the field', () => {
    const ok = { resource: 'transfers', version: '1.1' as FspiopVersion, source: 'payerfsp' };
    expect(() => fspiopHeaders({ ...ok, version: '1' as FspiopVersion })).toThrow(
      /^version: expected one of 1\.0, 1\.1, 2\.0/,
    );
    expect(() => fspiopHeaders({ ...ok, source: '' })).toThrow(/^source: expected an FSP id/);
    expect(() => fspiopHeaders({ ...ok, destination: 'x'.repeat(33) })).toThrow(/^destination/);
    expect(() => fspiopHeaders({ ...ok, resource: 'transfers/x' })).toThrow(/^resource/);
    expect(() => fspiopHeaders({ ...ok, accept: '1.x' })).toThrow(/^accept version/);
    expect(() => fspiopHeaders({ ...ok, extra: { 'fspiop-source': 'x' } })).toThrow(/^extra/);
    expect(() => acceptHeader('transfers', '')).toThrow(/accept version/);
  });
});

describe('trace context', () => {
  it('fresh W3C traceparent per transfer, tracestate with the send time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTraceContext(1_764_000_000_000 + i, nodeCrypto);
      expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(t.traceparent.slice(3, 35)).toBe(t.traceId);
      expect(t.tracestate).toBe(`tx_end2end_start_ts=${1_764_000_000_000 + i}`);
      expect(parseTraceparent(t.traceparent)?.traceId).toBe(t.traceId);
      seen.add(t.traceId);
    }
    expect(seen.size).toBe(2000);
    const zeros = { ...nodeCrypto, randomBytes: (n: number) => new Uint8Array(n) };
    expect(parseTraceparent(newTraceContext(0, zeros).traceparent)).toBeDefined();
  });

  it('parseTraceparent refuses malformed values', () => {
    for (const bad of [
      undefined,
      '',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it('childTraceparent keeps the trace-id with a new parent-id', () => {
    const parent = newTraceContext(0, nodeCrypto).traceparent;
    const child = childTraceparent(parent, nodeCrypto)!;
    expect(child.slice(0, 36)).toBe(parent.slice(0, 36));
    expect(child).not.toBe(parent);
    expect(childTraceparent('garbage', nodeCrypto)).toBeUndefined();
  });

  it('property: tx_end2end_start_ts is found whatever members a hub prepends or a DFSP appends', () => {
    const member = fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9_*/-]{0,20}$/), fc.stringMatching(/^[A-Za-z0-9+/=:;._-]{1,40}$/))
      .filter(([k]) => k !== E2E_START_KEY)
      .map(([k, v]) => `${k}=${v}`);
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 5 }),
        fc.array(member, { maxLength: 3 }),
        fc.integer({ min: 0, max: 2 ** 48 }),
        fc.constantFrom(',', ', ', ' , ', ',\t'),
        (before, after, ms, sep) => {
          const list = [...before, `${E2E_START_KEY}=${ms}`, ...after].join(sep);
          expect(e2eStartMs(list)).toBe(ms);
          expect(e2eStartMs([...before, ...after].join(sep))).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tracestate edge cases', () => {
    // The reference hub's prepended member is base64 JSON, which may end in '='.
    const hub = 'acmevendor=eyJzcGFuSWQiOiI2YzU5YjQ3ZTNkYTc0ZjBlIn0=';
    expect(e2eStartMs(`${hub},tx_end2end_start_ts=1764320000123,tx_callback_start_ts=1764320000456`)).toBe(
      1764320000123,
    );
    expect(tracestateMember(`${hub},tx_callback_start_ts=5`, 'tx_callback_start_ts')).toBe('5');
    expect(tracestateMember(hub, 'acmevendor')).toBe('eyJzcGFuSWQiOiI2YzU5YjQ3ZTNkYTc0ZjBlIn0=');
    // First occurrence wins (left-most is the most recent).
    expect(e2eStartMs('tx_end2end_start_ts=1,tx_end2end_start_ts=2')).toBe(1);
    for (const bad of [
      undefined,
      null,
      '',
      'tx_end2end_start_ts=',
      'tx_end2end_start_ts=abc',
      'tx_end2end_start_ts=-5',
      'x_tx_end2end_start_ts=5',
      'tx_end2end_start_ts',
    ]) {
      expect(e2eStartMs(bad)).toBeUndefined();
    }
  });
});
