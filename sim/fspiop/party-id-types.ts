/**
 * The FSPIOP party id types (API Definition PartyIdType) the account lookup accepts, and the 3100
 * message for any other; the hub's ALS and the DFSP outbound API check the same list.
 */

export const PARTY_ID_TYPES: readonly string[] = [
  'MSISDN',
  'EMAIL',
  'PERSONAL_ID',
  'BUSINESS',
  'DEVICE',
  'ACCOUNT_ID',
  'IBAN',
  'ALIAS',
];

/** The 3100 message for a party id type outside {@link PARTY_ID_TYPES}. */
export function unknownPartyIdType(type: string): string {
  return `party id type ${type} is not one of ${PARTY_ID_TYPES.join(', ')}`;
}
