/**
 * The relay's sans-IO client (lib/protocol/relay.ts): request building, and interpreters that turn
 * any response — including garbage — into a typed result without throwing.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../lib/protocol/http.ts';
import { ulidTimeMs } from '../../lib/protocol/ids.ts';
import {
  interpretRelayCollect,
  interpretRelayPhaseWait,
  interpretRelayStats,
  interpretRelayWait,
  parseRelayOutcome,
  relayCollectRequest,
  relayLatencyMs,
  relayPhaseWaitRequest,
  relayWaitRequest,
  transferOutcomeOfRelay,
} from '../../lib/protocol/relay.ts';

const res = (status: number, body: string | null): HttpResponse => ({
  status,
  headers: {},
  body,
  durationMs: 1,
});
const outcome = {
  transferId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  state: 'COMMITTED',
  arrivedAtMs: 2000,
  sentAtMs: 1500,
  runner: 3,
};

describe('request builders', () => {
  it('collect: URL, name tag, timeout margin, cursor encoding', () => {
    const r = relayCollectRequest('http://h:1/relay/', { runner: 3, cursor: 'ab.12', max: 50, waitMs: 200 });
    expect(r).toMatchObject({
      method: 'GET',
      url: 'http://h:1/relay/outcomes?runner=3&max=50&cursor=ab.12&waitMs=200',
      name: 'GET /relay/outcomes',
      wantBody: true,
    });
    expect(r.timeoutMs).toBe(5200);
    expect(relayCollectRequest('http://h:1/relay', { runner: 0 }).url).toBe(
      'http://h:1/relay/outcomes?runner=0&max=1000',
    );
  });

  it('wait and phase wait encode the id/key', () => {
    expect(relayWaitRequest('http://h/relay', 'a b', 100).url).toBe(
      'http://h/relay/wait/a%20b?timeoutMs=100',
    );
    expect(relayPhaseWaitRequest('http://h/relay', 'parties', 'MSISDN/123', 10).url).toBe(
      'http://h/relay/phase/parties/MSISDN%2F123?timeoutMs=10',
    );
  });

  it('out-of-range parameters throw naming the field', () => {
    expect(() => relayCollectRequest('http://h', { runner: 1024 })).toThrow(/runner/);
    expect(() => relayCollectRequest('http://h', { runner: 1, max: 0 })).toThrow(/max/);
    expect(() => relayCollectRequest('http://h', { runner: 1, waitMs: 1e9 })).toThrow(/waitMs/);
    expect(() => relayWaitRequest('http://h', '', 1)).toThrow(/transferId/);
    expect(() => relayPhaseWaitRequest('http://h', 'transfers' as 'parties', 'k', 1)).toThrow(/phase/);
  });
});

describe('interpreters', () => {
  it('collect: a good batch', () => {
    const r = interpretRelayCollect(
      res(200, JSON.stringify({ cursor: 'c.1', outcomes: [outcome], evicted: 2, duplicates: 1 })),
    );
    expect(r).toEqual({ ok: true, value: { cursor: 'c.1', outcomes: [outcome], evicted: 2, duplicates: 1 } });
  });

  const bad: Array<[string, HttpResponse]> = [
    ['no response', { status: 0, headers: {}, body: null, durationMs: 1, error: 'ECONNREFUSED' }],
    [
      'HTTP 400 with errorInformation',
      res(400, '{"errorInformation":{"errorCode":"3100","errorDescription":"runner"}}'),
    ],
    ['HTTP 503 without body', res(503, null)],
    ['not JSON', res(200, '<html>')],
    ['missing cursor', res(200, '{"outcomes":[],"evicted":0,"duplicates":0}')],
    ['negative evicted', res(200, '{"cursor":"","outcomes":[],"evicted":-1,"duplicates":0}')],
    [
      'malformed outcome',
      res(
        200,
        JSON.stringify({
          cursor: '',
          outcomes: [{ ...outcome, state: 'RESERVED' }],
          evicted: 0,
          duplicates: 0,
        }),
      ),
    ],
  ];
  for (const [name, r] of bad) {
    it(`collect: ${name} -> error`, () => {
      const out = interpretRelayCollect(r);
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.status).toBe(r.status);
    });
  }

  it('collect error text carries the relay error code', () => {
    const out = interpretRelayCollect(
      res(400, '{"errorInformation":{"errorCode":"3100","errorDescription":"runner: required"}}'),
    );
    expect(!out.ok && out.error).toContain('3100 runner: required');
  });

  it('wait: 200 outcome, 204 pending, else error', () => {
    expect(interpretRelayWait(res(200, JSON.stringify(outcome)))).toEqual({ kind: 'outcome', outcome });
    expect(interpretRelayWait(res(204, null))).toEqual({ kind: 'pending' });
    expect(interpretRelayWait(res(200, '{}')).kind).toBe('error');
    expect(
      interpretRelayWait(res(503, '{"errorInformation":{"errorCode":"2003","errorDescription":"busy"}}')),
    ).toMatchObject({ kind: 'error', status: 503 });
  });

  it('phase wait: 200 callback, 204 pending, malformed -> error', () => {
    const cb = { phase: 'quotes', key: 'Q', body: { ilpPacket: 'x' }, errorPath: false, arrivedAtMs: 5 };
    expect(interpretRelayPhaseWait(res(200, JSON.stringify(cb)))).toEqual({ kind: 'callback', callback: cb });
    expect(interpretRelayPhaseWait(res(204, null)).kind).toBe('pending');
    expect(interpretRelayPhaseWait(res(200, JSON.stringify({ ...cb, phase: 'x' }))).kind).toBe('error');
  });

  it('stats: shape checked', () => {
    const counts = { received: 1, delivered: 1, evictedUnread: 0, duplicates: 0, pending: 0 };
    const good = {
      runners: { '3': counts },
      totals: counts,
      phases: { received: 0, delivered: 0, evictedUnread: 0 },
      interim: 0,
      unpartitioned: 0,
    };
    expect(interpretRelayStats(res(200, JSON.stringify(good)))).toEqual({ ok: true, value: good });
    expect(
      interpretRelayStats(res(200, JSON.stringify({ ...good, totals: { ...counts, pending: 'x' } }))).ok,
    ).toBe(false);
  });

  it('outcome -> TransferOutcome and latency', () => {
    expect(transferOutcomeOfRelay(parseRelayOutcome(outcome)!)).toEqual({
      kind: 'committed',
      transferState: 'COMMITTED',
    });
    expect(
      transferOutcomeOfRelay({
        ...outcome,
        state: 'ABORTED',
        errorCode: '3303',
        errorDescription: 'Transfer expired',
      }),
    ).toEqual({
      kind: 'rejected',
      stage: 'async',
      errorCode: '3303',
      errorDescription: 'Transfer expired',
    });
    expect(transferOutcomeOfRelay({ ...outcome, state: 'ABORTED' })).toMatchObject({
      kind: 'rejected',
      errorCode: 'ABORTED',
    });
    expect(relayLatencyMs(parseRelayOutcome(outcome)!)).toBe(500);
    // without the relay's send time, the time the kit's own id carries (a ULID here)...
    const { sentAtMs: _s, ...noSent } = outcome;
    expect(relayLatencyMs(parseRelayOutcome(noSent)!)).toBe(2000 - ulidTimeMs(outcome.transferId)!);
    // ...and none for an id without a time (UUID v4): unknown, never 0
    const v4 = { ...noSent, transferId: '0036d4e1-62c5-4b0e-9a3f-1c2d3e4f5a6b' };
    expect(relayLatencyMs(parseRelayOutcome(v4)!)).toBeUndefined();
  });

  it('never throw, whatever the status and body (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 599 }),
        fc.oneof(
          fc.constant(null),
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (status, body) => {
          const r = res(status, body);
          interpretRelayCollect(r);
          interpretRelayWait(r);
          interpretRelayPhaseWait(r);
          interpretRelayStats(r);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
