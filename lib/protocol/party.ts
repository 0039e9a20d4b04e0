/**
 * The party an account lookup answered (`PUT /parties/{Type}/{ID}`), checked before the e2e flow
 * uses it in a quote. What a hub or a mock DFSP sends back is not trusted: the Testing Toolkit's
 * mock answers carry random extra members and names outside the FSPIOP `Name` pattern, and a quote
 * that copies them is refused (3100 on `payee.name`). So:
 *
 * - `partyIdInfo` is required and must be the party that was asked for (type and identifier), with
 *   an FSP id of 1..32 characters — the FSP that owns the party, to which the quote and the
 *   transfer then go;
 * - the optional parts are kept only when they match the FSPIOP 1.1 and 2.0 schemas (the `Name`
 *   pattern `^(?!\s*$)[\w .,'-]{1,128}$`, which also satisfies the Unicode name patterns of
 *   `personalInfo.complexName`; `merchantClassificationCode` of 1..4 digits; a valid
 *   `dateOfBirth`); everything else is dropped and named in `dropped`.
 *
 * Pure and k6-safe (no Unicode property escapes).
 */
import type { Party, PartyIdType } from './bodies.ts';

export const PARTY_ID_TYPES: readonly PartyIdType[] = [
  'MSISDN',
  'EMAIL',
  'PERSONAL_ID',
  'BUSINESS',
  'DEVICE',
  'ACCOUNT_ID',
  'IBAN',
  'ALIAS',
];

/** FSPIOP `Name` (PartyName in 1.1 and 2.0). */
const NAME = /^(?!\s*$)[\w .,'-]{1,128}$/;
const MERCHANT_CODE = /^\d{1,4}$/;
/** FSPIOP `DateOfBirth`: a real calendar date, leap days included. */
const DATE_OF_BIRTH =
  /^(?:[1-9]\d{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|(?:[1-9]\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)-02-29)$/;

export type CheckedParty =
  | { ok: true; party: Party; fspId: string; dropped: string[] }
  | { ok: false; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const text = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= max;

/**
 * The lookup's party, as far as it is valid and is the one asked for (`idType`/`idValue`), or why
 * it cannot be used.
 */
export function checkedParty(v: unknown, idType: PartyIdType, idValue: string): CheckedParty {
  if (!isRecord(v)) return { ok: false, reason: 'the lookup answered no party object' };
  const info = v.partyIdInfo;
  if (!isRecord(info)) return { ok: false, reason: 'the party has no partyIdInfo' };
  if (info.partyIdType !== idType || info.partyIdentifier !== idValue) {
    return {
      ok: false,
      reason: `the lookup for ${idType}/${idValue} answered the party ${String(info.partyIdType)}/${String(info.partyIdentifier)}`,
    };
  }
  if (!text(info.fspId, 32)) {
    return {
      ok: false,
      reason: `the party's fspId must be 1..32 characters, got ${JSON.stringify(info.fspId)}`,
    };
  }
  const dropped: string[] = [];
  const partyIdInfo: Party['partyIdInfo'] = {
    partyIdType: idType,
    partyIdentifier: idValue,
    fspId: info.fspId,
  };
  if (info.partySubIdOrType !== undefined) {
    if (text(info.partySubIdOrType, 128)) partyIdInfo.partySubIdOrType = info.partySubIdOrType;
    else dropped.push('partyIdInfo.partySubIdOrType');
  }
  for (const k of Object.keys(info)) {
    if (!['partyIdType', 'partyIdentifier', 'fspId', 'partySubIdOrType'].includes(k))
      dropped.push(`partyIdInfo.${k}`);
  }
  const out: Party = { partyIdInfo };
  for (const [k, value] of Object.entries(v)) {
    if (k === 'partyIdInfo') continue;
    if (k === 'name' && typeof value === 'string' && NAME.test(value)) out.name = value;
    else if (k === 'merchantClassificationCode' && typeof value === 'string' && MERCHANT_CODE.test(value))
      out.merchantClassificationCode = value;
    else if (k === 'personalInfo' && isRecord(value)) {
      const personal = checkedPersonalInfo(value, dropped);
      if (personal) out.personalInfo = personal;
    } else dropped.push(k);
  }
  return { ok: true, party: out, fspId: info.fspId, dropped };
}

function checkedPersonalInfo(
  v: Record<string, unknown>,
  dropped: string[],
): NonNullable<Party['personalInfo']> | undefined {
  const out: NonNullable<Party['personalInfo']> = {};
  for (const [k, value] of Object.entries(v)) {
    if (k === 'dateOfBirth' && typeof value === 'string' && DATE_OF_BIRTH.test(value))
      out.dateOfBirth = value;
    else if (k === 'complexName' && isRecord(value)) {
      const name: Record<string, string> = {};
      for (const [part, s] of Object.entries(value)) {
        if (
          (part === 'firstName' || part === 'middleName' || part === 'lastName') &&
          typeof s === 'string' &&
          NAME.test(s)
        )
          name[part] = s;
        else dropped.push(`personalInfo.complexName.${part}`);
      }
      // an empty complexName is valid in the schemas, but says nothing
      if (Object.keys(name).length > 0) out.complexName = name;
    } else dropped.push(`personalInfo.${k}`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
