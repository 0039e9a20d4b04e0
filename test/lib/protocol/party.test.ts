/**
 * The party of an account lookup is checked before a quote uses it: whatever a hub or mock DFSP
 * answers (the Testing Toolkit's mock parties carry random members and names outside the FSPIOP
 * pattern), what the flow keeps validates against the FSPIOP 1.1 and 2.0 Party schemas of
 * @mojaloop/api-snippets, and it is the party that was asked for.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkedParty, PARTY_ID_TYPES } from '../../../lib/protocol/party.ts';
import { fspiopV2Schemas, fspiopV11Schemas, type SchemaSet } from './schemas.ts';

let v11: SchemaSet;
let v2: SchemaSet;
beforeAll(() => {
  v11 = fspiopV11Schemas();
  v2 = fspiopV2Schemas();
});

// What the Testing Toolkit's mock answered on a real run (its random members included).
const TTK_PARTY = {
  partyIdInfo: {
    partyIdType: 'MSISDN',
    partyIdentifier: '16135551002',
    fspId: 'testingtoolkitdfsp',
    extensionList: {
      exercitation5df: 99753491.07,
      extension: [{ adipisicing_a42: -5, key: 'anim', value: 'x' }],
    },
  },
  merchantClassificationCode: '0',
  name: "antrCpgnd.dLl'e.-_.lopP MedeMn,=_g tk.-C.iuk,eJPcnMCd{i,=iC,dLkP",
  personalInfo: {
    complexName: { firstName: 'Mark', middleName: 'S', lastName: 'Smith' },
    dateOfBirth: '1984-03-14',
  },
  in7: -41065694.37,
};

describe('the lookup party', () => {
  it('keeps what the schemas accept and drops the rest, naming it (a real Testing Toolkit answer)', () => {
    // the raw answer fails the schemas the quote is validated against
    expect(v2.errors('Party', TTK_PARTY)).toBeDefined();
    const r = checkedParty(TTK_PARTY, 'MSISDN', '16135551002');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.party).toEqual({
      partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '16135551002', fspId: 'testingtoolkitdfsp' },
      merchantClassificationCode: '0',
      personalInfo: {
        complexName: { firstName: 'Mark', middleName: 'S', lastName: 'Smith' },
        dateOfBirth: '1984-03-14',
      },
    });
    expect(r.dropped.sort()).toEqual(['in7', 'name', 'partyIdInfo.extensionList']);
    v11.assertValid('Party', r.party);
    v2.assertValid('Party', r.party);
  });

  it.each([
    [null, /no party object/],
    [{}, /no partyIdInfo/],
    [
      { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '999', fspId: 'x' } },
      /answered the party MSISDN\/999/,
    ],
    [
      { partyIdInfo: { partyIdType: 'EMAIL', partyIdentifier: '16135551002', fspId: 'x' } },
      /answered the party EMAIL/,
    ],
    [{ partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '16135551002' } }, /fspId must be 1\.\.32/],
    [
      { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '16135551002', fspId: 'f'.repeat(33) } },
      /fspId/,
    ],
  ])('refuses %j with the reason', (body, reason) => {
    const r = checkedParty(body, 'MSISDN', '16135551002');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('property: whatever members and strings an answer carries, what is kept validates (1.1 and 2.0)', () => {
    const junk = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.object(),
    );
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    fc.assert(
      fc.property(
        fc.constantFrom(...PARTY_ID_TYPES),
        fc.stringMatching(/^[0-9A-Za-z]{1,20}$/),
        fc.string({ minLength: 1, maxLength: 32 }),
        maybe(fc.oneof(fc.string(), junk)),
        maybe(fc.oneof(fc.stringMatching(/^\d{1,6}$/), junk)),
        maybe(fc.record({ firstName: fc.oneof(fc.string(), junk), lastName: fc.oneof(fc.string(), junk) })),
        maybe(fc.oneof(fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/), junk)),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), junk, { maxKeys: 3 }),
        (type, id, fspId, name, merchant, complexName, dob, extra) => {
          const body: Record<string, unknown> = {
            ...extra,
            partyIdInfo: { partyIdType: type, partyIdentifier: id, fspId, ...extra },
          };
          if (name !== undefined) body.name = name;
          if (merchant !== undefined) body.merchantClassificationCode = merchant;
          if (complexName !== undefined || dob !== undefined)
            body.personalInfo = { complexName, dateOfBirth: dob, ...extra };
          const r = checkedParty(body, type, id);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.party.partyIdInfo).toMatchObject({ partyIdType: type, partyIdentifier: id, fspId });
          expect(v11.errors('Party', r.party)).toBeUndefined();
          expect(v2.errors('Party', r.party)).toBeUndefined();
        },
      ),
      { numRuns: 400 },
    );
  });
});
