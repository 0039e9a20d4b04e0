/** The interpreters, table-driven, traps included; and a fuzz check that they never throw. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorBody, transferFulfilBody } from '../../../lib/protocol/bodies.ts';
import type { HttpResponse } from '../../../lib/protocol/http.ts';
import {
  ABORTED_WITHOUT_CODE,
  interpretOutboundPhaseResponse,
  interpretOutboundTransferResponse,
  interpretPhaseCallback,
  interpretPostTransferResponse,
  interpretTransferCallback,
} from '../../../lib/protocol/interpret.ts';
import { isoTransferErrorBody, isoTransferFulfilBody } from '../../../lib/protocol/iso20022.ts';
import { outcomeLabel, type TransferOutcome } from '../../../lib/protocol/outcome.ts';
import { isoTxStatusEnum } from './schemas.ts';

const F = 'V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0';
const TS = '2026-11-28T10:00:00.123Z';
const H = { msgId: '01JBVM14S6SC453EY9XB9GXQB5', createdAt: TS };
const committed: TransferOutcome = { kind: 'committed', transferState: 'COMMITTED' };
const json = (v: unknown) => JSON.stringify(v);
const res = (status: number, body: unknown, extra: Partial<HttpResponse> = {}): HttpResponse => ({
  status,
  headers: {},
  body: body === null || typeof body === 'string' ? (body as string | null) : json(body),
  durationMs: 12,
  ...extra,
});

type Row = [string, unknown, boolean, TransferOutcome | RegExp];

describe('transfer callbacks (payer side)', () => {
  const rows: Row[] = [
    [
      'FSPIOP COMMITTED',
      json(transferFulfilBody({ fulfilment: F, completedTimestamp: TS, transferState: 'COMMITTED' })),
      false,
      committed,
    ],
    ['FSPIOP COMMITTED, already parsed', { transferState: 'COMMITTED', fulfilment: F }, false, committed],
    [
      'hub-generated COMMITTED after RESERVED',
      json({ completedTimestamp: TS, transferState: 'COMMITTED', fulfilment: F }),
      false,
      committed,
    ],
    [
      'trap: RESERVED is not success',
      json({ transferState: 'RESERVED', fulfilment: F, completedTimestamp: TS }),
      false,
      /transfer state RESERVED is not final/,
    ],
    ['trap: RECEIVED is not final', json({ transferState: 'RECEIVED' }), false, /RECEIVED is not final/],
    [
      'trap: ABORTED via PUT, no code',
      json({ transferState: 'ABORTED', completedTimestamp: TS }),
      false,
      { kind: 'rejected', stage: 'async', errorCode: ABORTED_WITHOUT_CODE },
    ],
    [
      'ABORTED with a cause extension',
      json({
        transferState: 'ABORTED',
        extensionList: {
          extension: [{ key: 'cause', value: '3100: Generic validation error - invalid fulfilment' }],
        },
      }),
      false,
      {
        kind: 'rejected',
        stage: 'async',
        errorCode: '3100',
        errorDescription: 'Generic validation error - invalid fulfilment',
      },
    ],
    [
      'trap: COMMITTED next to errorInformation',
      json({ transferState: 'COMMITTED', errorInformation: { errorCode: '5100', errorDescription: 'no' } }),
      false,
      { kind: 'rejected', stage: 'async', errorCode: '5100', errorDescription: 'no' },
    ],
    ['unknown state', json({ transferState: 'DONE' }), false, /unknown transferState "DONE"/],
    ['no state', json({ fulfilment: F }), false, /no transferState/],
    ['trap: malformed JSON', '{"transferState":"COMMITTED"', false, /malformed JSON body/],
    ['trap: empty body', '', false, /empty body/],
    ['null body', null, false, /empty body/],
    ['JSON array', '[1,2]', false, /not a JSON object/],
    ['JSON string', '"COMMITTED"', false, /not a JSON object/],
    [
      'error callback',
      json(errorBody('3303', 'Transfer expired')),
      true,
      { kind: 'rejected', stage: 'async', errorCode: '3303', errorDescription: 'Transfer expired' },
    ],
    [
      'error callback with numeric code',
      json({ errorInformation: { errorCode: 4001, errorDescription: 'liquidity' } }),
      true,
      { kind: 'rejected', stage: 'async', errorCode: '4001', errorDescription: 'liquidity' },
    ],
    [
      'error callback, bad code',
      json({ errorInformation: { errorCode: 'ABC', errorDescription: 'x' } }),
      true,
      /without a valid errorCode/,
    ],
    [
      'error callback without errorInformation',
      json({ transferState: 'COMMITTED' }),
      true,
      /without errorInformation/,
    ],
    ['error callback, empty', '   ', true, /empty body/],
    [
      'ISO COMM',
      json(
        isoTransferFulfilBody({ ...H, fulfilment: F, completedTimestamp: TS, transferState: 'COMMITTED' }),
      ),
      false,
      committed,
    ],
    [
      'ISO RESV is not final',
      json(isoTransferFulfilBody({ ...H, fulfilment: F, completedTimestamp: TS, transferState: 'RESERVED' })),
      false,
      /RESERVED is not final/,
    ],
    ['ISO RECV', json({ GrpHdr: H, TxInfAndSts: { TxSts: 'RECV' } }), false, /RECEIVED is not final/],
    [
      'ISO ABOR',
      json({ GrpHdr: H, TxInfAndSts: { TxSts: 'ABOR' } }),
      false,
      { kind: 'rejected', stage: 'async', errorCode: ABORTED_WITHOUT_CODE },
    ],
    ['ISO unknown TxSts', json({ GrpHdr: H, TxInfAndSts: { TxSts: 'ACSC' } }), false, /unknown TxSts/],
    [
      'ISO error (PacsError)',
      json(isoTransferErrorBody({ ...H, errorCode: '5100', errorDescription: 'Payee rejected' })),
      true,
      { kind: 'rejected', stage: 'async', errorCode: '5100', errorDescription: 'Payee rejected' },
    ],
    [
      'ISO error with Rsn.Cd',
      json({ GrpHdr: H, TxInfAndSts: { StsRsnInf: { Rsn: { Cd: '3303' } } } }),
      true,
      { kind: 'rejected', stage: 'async', errorCode: '3303' },
    ],
    [
      'ISO trap: COMM with a reason',
      json({ GrpHdr: H, TxInfAndSts: { TxSts: 'COMM', StsRsnInf: { Rsn: { Prtry: '3100' } } } }),
      false,
      { kind: 'rejected', stage: 'async', errorCode: '3100' },
    ],
    [
      'ISO error, older transformer (code in TxSts)',
      json({ GrpHdr: H, TxInfAndSts: { TxSts: '3303' } }),
      true,
      { kind: 'rejected', stage: 'async', errorCode: '3303' },
    ],
    [
      'ISO error without reason',
      json({ GrpHdr: H, TxInfAndSts: { TxSts: 'COMM' } }),
      true,
      /without StsRsnInf/,
    ],
    ['ISO without TxInfAndSts', json({ GrpHdr: H }), false, /without TxInfAndSts/],
    [
      'ISO malformed reason',
      json({ GrpHdr: H, TxInfAndSts: { StsRsnInf: { Rsn: { Prtry: 'oops' } } } }),
      true,
      /StsRsnInf without a valid error code/,
    ],
  ];

  it.each(rows)('%s', (_name, body, errorPath, expected) => {
    const out = interpretTransferCallback(body, errorPath);
    if (expected instanceof RegExp) {
      expect(out.kind).toBe('unknown');
      expect(out.kind === 'unknown' && out.reason).toMatch(expected);
    } else {
      expect(out).toEqual(expected);
    }
    // An error is never success.
    if (errorPath) expect(out.kind).not.toBe('committed');
  });
});

describe('synchronous POST /transfers answers', () => {
  const rows: Array<[string, HttpResponse, object | RegExp]> = [
    ['202 is accepted, nothing more', res(202, null), { kind: 'accepted', httpStatus: 202 }],
    [
      '202 with a body is still only accepted',
      res(202, { transferState: 'COMMITTED' }),
      { kind: 'accepted', httpStatus: 202 },
    ],
    [
      '400 with errorInformation',
      res(400, errorBody('3100', 'Generic validation error - amount')),
      {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '3100',
        errorDescription: 'Generic validation error - amount',
        httpStatus: 400,
      },
    ],
    [
      '406 unacceptable version',
      res(406, errorBody('3001', 'Unacceptable version')),
      {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '3001',
        errorDescription: 'Unacceptable version',
        httpStatus: 406,
      },
    ],
    [
      '503 with a 2003 error body',
      res(503, errorBody('2003', 'Service unavailable')),
      {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '2003',
        errorDescription: 'Service unavailable',
        httpStatus: 503,
      },
    ],
    [
      '400 with an ISO reason',
      res(400, { GrpHdr: H, TxInfAndSts: { StsRsnInf: { Rsn: { Prtry: '3101' } } } }),
      { kind: 'rejected', stage: 'sync', errorCode: '3101', httpStatus: 400 },
    ],
    ['trap: 200 is not 202', res(200, { transferState: 'COMMITTED' }), /HTTP 200 where 202 was expected/],
    ['201', res(201, null), /HTTP 201/],
    ['400 with an HTML body', res(400, '<html>bad gateway</html>'), /HTTP 400 with malformed JSON/],
    ['502 without a body', res(502, null), /HTTP 502 with empty body/],
    ['400 JSON without errorInformation', res(400, { message: 'bad' }), /HTTP 400 without errorInformation/],
    [
      '400 with a malformed errorCode',
      res(400, { errorInformation: { errorCode: '31', errorDescription: 'x' } }),
      /without a valid errorCode/,
    ],
    [
      'no response (timeout)',
      res(0, null, { error: 'request timeout' }),
      /no HTTP response: request timeout/,
    ],
    ['no response (refused)', res(0, null), /no HTTP response: connection failed/],
  ];
  it.each(rows)('%s', (_name, r, expected) => {
    const out = interpretPostTransferResponse(r);
    if (expected instanceof RegExp) {
      expect(out.kind).toBe('unknown');
      expect(out.kind === 'unknown' && out.reason).toMatch(expected);
    } else expect(out).toEqual(expected);
  });
});

describe('DFSP outbound (sdk-scheme-adapter) synchronous answers', () => {
  const fulfilCommitted = {
    body: { transferState: 'COMMITTED', fulfilment: F, completedTimestamp: TS },
    headers: {},
  };
  const rows: Array<[string, HttpResponse, TransferOutcome | RegExp]> = [
    [
      'transferResponse COMPLETED + COMMITTED',
      res(200, { transferId: 'x', currentState: 'COMPLETED', fulfil: fulfilCommitted }),
      committed,
    ],
    [
      'simpleTransfers COMMITTED',
      res(200, { transfer: fulfilCommitted, currentState: 'COMPLETED' }),
      committed,
    ],
    [
      'GET /transfers/{ID} with fulfil as the body itself',
      res(200, { transferId: 'x', currentState: 'COMPLETED', fulfil: fulfilCommitted.body }),
      committed,
    ],
    [
      'trap: 200 simpleTransfers carrying errorInformation',
      res(200, { transfer: { body: errorBody('5100', 'rejected'), headers: {} }, currentState: 'COMPLETED' }),
      { kind: 'rejected', stage: 'sync', errorCode: '5100', errorDescription: 'rejected', httpStatus: 200 },
    ],
    [
      'trap: 200 with top-level errorInformation',
      res(200, { ...errorBody('3204', 'Party not found'), currentState: 'COMPLETED' }),
      {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '3204',
        errorDescription: 'Party not found',
        httpStatus: 200,
      },
    ],
    [
      'trap: 200 COMPLETED but RESERVED',
      res(200, { currentState: 'COMPLETED', fulfil: { body: { transferState: 'RESERVED', fulfilment: F } } }),
      /RESERVED is not final/,
    ],
    [
      'trap: 200 COMPLETED but ABORTED',
      res(200, { currentState: 'COMPLETED', fulfil: { body: { transferState: 'ABORTED' } } }),
      { kind: 'rejected', stage: 'sync', errorCode: ABORTED_WITHOUT_CODE, httpStatus: 200 },
    ],
    [
      'trap: 200 COMPLETED without fulfil',
      res(200, { currentState: 'COMPLETED' }),
      /HTTP 200 without a transfer body/,
    ],
    [
      'waiting for quote acceptance',
      res(200, { currentState: 'WAITING_FOR_QUOTE_ACCEPTANCE', quoteResponse: {} }),
      /WAITING_FOR_QUOTE_ACCEPTANCE is not final/,
    ],
    [
      'ERROR_OCCURRED without an FSPIOP error',
      res(200, { currentState: 'ERROR_OCCURRED' }),
      /ERROR_OCCURRED/,
    ],
    [
      '500 with lastError.mojaloopError',
      res(500, {
        message: 'Transfer failed',
        statusCode: '4001',
        transferState: {
          lastError: {
            httpStatusCode: 500,
            mojaloopError: errorBody('4001', 'Payer FSP insufficient liquidity'),
          },
        },
      }),
      {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '4001',
        errorDescription: 'Payer FSP insufficient liquidity',
        httpStatus: 500,
      },
    ],
    [
      '400 with only statusCode',
      res(400, { message: 'Invalid request', statusCode: '3100' }),
      {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '3100',
        errorDescription: 'Invalid request',
        httpStatus: 400,
      },
    ],
    [
      '504 SDK timeout',
      res(504, { message: 'Timeout', statusCode: '504' }),
      { kind: 'timeout', waitedMs: 12 },
    ],
    [
      '500 without any code',
      res(500, { message: 'oops', statusCode: '500' }),
      /HTTP 500 from the outbound API/,
    ],
    ['malformed JSON', res(200, '{"currentState":'), /malformed JSON/],
    ['empty body', res(200, ''), /empty body/],
    ['no response', res(0, null, { error: 'ECONNRESET' }), /ECONNRESET/],
  ];
  it.each(rows)('%s', (_name, r, expected) => {
    const out = interpretOutboundTransferResponse(r);
    if (expected instanceof RegExp) {
      expect(out.kind).toBe('unknown');
      expect(out.kind === 'unknown' && out.reason).toMatch(expected);
    } else expect(out).toEqual(expected);
  });

  it('parties and quotes phases', () => {
    const party = {
      partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '27720000001', fspId: 'payeefsp' },
    };
    expect(
      interpretOutboundPhaseResponse(
        res(200, { party: { body: { party }, headers: {} }, currentState: 'COMPLETED' }),
        'parties',
      ),
    ).toEqual({ ok: true, value: { party } });
    const p404 = interpretOutboundPhaseResponse(
      res(404, {
        errorInformation: { errorCode: '3204', errorDescription: 'Party not found' },
        currentState: 'ERROR_OCCURRED',
      }),
      'parties',
    );
    expect(p404).toEqual({
      ok: false,
      outcome: {
        kind: 'rejected',
        stage: 'sync',
        errorCode: '3204',
        errorDescription: 'Party not found',
        httpStatus: 404,
      },
    });
    const quote = {
      transferAmount: { amount: '1', currency: 'XXX' },
      expiration: TS,
      ilpPacket: 'AAAA',
      condition: F,
    };
    expect(
      interpretOutboundPhaseResponse(
        res(200, { quotes: { body: quote, headers: {} }, currentState: 'COMPLETED' }),
        'quotes',
      ),
    ).toEqual({ ok: true, value: quote });
    const qErr = interpretOutboundPhaseResponse(
      res(200, { quotes: { body: errorBody('5101', 'Quote rejected') }, currentState: 'COMPLETED' }),
      'quotes',
    );
    expect(qErr.ok === false && outcomeLabel(qErr.outcome)).toBe('rejected:5101');
    const noPacket = interpretOutboundPhaseResponse(
      res(200, { quotes: { body: { transferAmount: {} } } }),
      'quotes',
    );
    expect(noPacket.ok === false && noPacket.outcome.kind).toBe('unknown');
    expect(interpretOutboundPhaseResponse(res(504, { statusCode: '504' }), 'quotes')).toEqual({
      ok: false,
      outcome: { kind: 'timeout', waitedMs: 12 },
    });
  });

  it('FSPIOP phase callbacks', () => {
    expect(interpretPhaseCallback(json({ party: { partyIdInfo: {} } }), 'party').ok).toBe(true);
    expect(interpretPhaseCallback(json({ ilpPacket: 'x', condition: F }), 'ilpPacket').ok).toBe(true);
    const e = interpretPhaseCallback(json(errorBody('3204', 'not found')), 'party', true);
    expect(e.ok === false && e.outcome).toEqual({
      kind: 'rejected',
      stage: 'async',
      errorCode: '3204',
      errorDescription: 'not found',
    });
    expect(interpretPhaseCallback(json({}), 'ilpPacket').ok).toBe(false);
    expect(interpretPhaseCallback('nope', 'party').ok).toBe(false);
  });
});

describe('never throws, never calls garbage a success', () => {
  it('property: arbitrary JSON, text and responses', () => {
    const bodyArb = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue(),
      fc.string(),
      fc.constant(null),
      fc.constant(undefined),
      fc.record({
        transferState: fc.string(),
        errorInformation: fc.option(fc.jsonValue(), { nil: undefined }),
      }),
      fc.record({ TxInfAndSts: fc.record({ TxSts: fc.string(), StsRsnInf: fc.jsonValue() }) }),
    );
    fc.assert(
      fc.property(bodyArb, fc.boolean(), fc.integer({ min: 0, max: 599 }), (body, errorPath, status) => {
        const out = interpretTransferCallback(body, errorPath);
        if (out.kind === 'committed') {
          expect(errorPath).toBe(false);
          const v = typeof body === 'string' ? JSON.parse(body) : body;
          expect(v.transferState ?? v.TxInfAndSts?.TxSts).toMatch(/^(COMMITTED|COMM)$/);
        }
        const text = typeof body === 'string' ? body : body === undefined ? null : JSON.stringify(body);
        const r = res(status, text);
        const sync = interpretPostTransferResponse(r);
        expect(['accepted', 'rejected', 'unknown']).toContain(sync.kind);
        if (sync.kind === 'accepted') expect(status).toBe(202);
        const outbound = interpretOutboundTransferResponse(r);
        if (outbound.kind === 'committed') expect(status).toBe(200);
        interpretOutboundPhaseResponse(r, 'quotes');
        interpretPhaseCallback(body, 'party', errorPath);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ISO 20022 transfer status: every TxSts the spec allows, with every kind of status reason', () => {
  // The TxSts values of the FSPIOP ISO 20022 API (@mojaloop/api-snippets), read from its schema.
  const txSts = isoTxStatusEnum();
  const reasons = {
    none: undefined,
    'error code in Prtry': { Rsn: { Prtry: '3100' }, AddtlInf: 'Generic validation error' },
    'error code in Cd': { Rsn: { Cd: '5100' } },
    'informational Prtry (TTK on success)': { Rsn: { Prtry: 'COMM' }, AddtlInf: 'ADDITIONAL' },
    'informational Cd': { Rsn: { Cd: 'AC01' } },
    'AddtlInf only': { AddtlInf: 'note' },
  } as const;
  type ReasonName = keyof typeof reasons;
  const expected = (sts: string, reason: ReasonName, errorPath: boolean): string => {
    if (reason === 'error code in Prtry') return 'rejected 3100';
    if (reason === 'error code in Cd') return 'rejected 5100';
    if (errorPath) return 'unknown';
    if (sts === 'COMM') return 'committed';
    if (sts === 'ABOR') return 'rejected ABORTED';
    return 'unknown'; // RESV, RECV: not final
  };
  const shown = (o: ReturnType<typeof interpretTransferCallback>): string =>
    o.kind === 'rejected' ? `rejected ${o.errorCode}` : o.kind;

  it('the spec still lists COMM, RESV, RECV and ABOR', () => {
    expect([...txSts].sort()).toEqual(['ABOR', 'COMM', 'RECV', 'RESV']);
  });

  for (const sts of txSts) {
    for (const reason of Object.keys(reasons) as ReasonName[]) {
      for (const errorPath of [false, true]) {
        it(`${sts}, reason ${reason}, ${errorPath ? 'PUT …/error' : 'PUT'} → ${expected(sts, reason, errorPath)}`, () => {
          const r = reasons[reason];
          const body = { GrpHdr: H, TxInfAndSts: { TxSts: sts, ...(r ? { StsRsnInf: r } : {}) } };
          expect(shown(interpretTransferCallback(json(body), errorPath))).toBe(
            expected(sts, reason, errorPath),
          );
        });
      }
    }
  }
});
