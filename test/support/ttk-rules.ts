/**
 * Callback rules for the Testing Toolkit in conformance runs.
 *
 * TTK's shipped FSPIOP rules are MOCK_CALLBACKs: each callback is generated from the API spec by a
 * schema faker, which takes hundreds of milliseconds and adds random headers (FSPIOP-Signature,
 * FSPIOP-URI, ...) and random extra properties. For GET /parties, POST /quotes and POST /transfers
 * the harness puts FIXED_CALLBACK rules in their place: deterministic, fast and clean, while TTK
 * still does everything else itself — the schema and header validation of the request, the ILP
 * packet and condition checks (with their 3106 error callbacks), the quote's ILP packet and
 * condition, and the transfer's fulfilment (appended to the callback because the rule's body has
 * none). TTK's ISO 20022 rules (already FIXED, matched on the Accept header) stay in front; the
 * first rule that matches wins (TTK gives array position as priority). TTK's demo rules for its own
 * test FSPs (`ttkpayeefsp`, `pinkbankfsp`) are left out; every other shipped rule follows.
 *
 * Template syntax is TTK's: `{$request.body.x}`, `{$request.headers.x}` (lower-case names),
 * `{$request.params.X}`, `{$config.KEY}` (user config), `{$session.negotiatedContentType}` (the
 * Content-Type TTK negotiated from Accept), `{$environment.x}` (set by the rule's script).
 */

interface Rule {
  ruleId?: number;
  description?: string;
  conditions?: { all?: Array<{ fact?: string; path?: string; value?: unknown; operator?: string }> };
  [k: string]: unknown;
}

/** ids of the harness's own rules (TTK's shipped ones use 1..199). */
export const HARNESS_RULE_IDS = { parties: 9101, quotes: 9102, transfers: 9103 } as const;

/** Shipped rules the harness replaces (FSPIOP parties, quotes, transfers) or drops (demo FSPs). */
const REPLACED_OR_DROPPED = new Set([51, 52, 53, 54, 61, 101, 102, 103]);

function on(operationPath: string, method: string) {
  return {
    all: [
      { fact: 'operationPath', operator: 'equal', value: operationPath },
      { fact: 'method', operator: 'equal', value: method },
    ],
  };
}

function fixed(
  ruleId: number,
  description: string,
  conditions: Rule['conditions'],
  event: Record<string, unknown>,
): Rule {
  return {
    ruleId,
    priority: 1,
    description,
    apiVersion: { minorVersion: 0, majorVersion: 1, type: 'fspiop', asynchronous: true },
    conditions,
    event: { ...event, type: 'FIXED_CALLBACK' },
    type: 'callback',
    version: 1,
  };
}

/** The harness's FSPIOP rules: TTK answers as the payee FSP named by its user config `FSPID`. */
export function harnessFspiopRules(): Rule[] {
  const headers = (source: string) => ({
    'Content-Type': '{$session.negotiatedContentType}',
    Date: '{$request.headers.date}',
    'FSPIOP-Source': source,
    'FSPIOP-Destination': '{$request.headers.fspiop-source}',
  });
  return [
    fixed(
      HARNESS_RULE_IDS.parties,
      'harness: get /parties/{Type}/{ID} (FIXED_CALLBACK)',
      on('/parties/{Type}/{ID}', 'get'),
      {
        method: 'put',
        path: '/parties/{Type}/{ID}',
        params: {
          headers: headers('{$config.FSPID}'),
          body: {
            party: {
              partyIdInfo: {
                partyIdType: '{$request.params.Type}',
                partyIdentifier: '{$request.params.ID}',
                fspId: '{$config.FSPID}',
              },
              name: 'Conformance Payee',
              personalInfo: { complexName: { firstName: 'Conformance', lastName: 'Payee' } },
            },
          },
        },
      },
    ),
    fixed(HARNESS_RULE_IDS.quotes, 'harness: post /quotes (FIXED_CALLBACK)', on('/quotes', 'post'), {
      method: 'put',
      path: '/quotes/{ID}',
      params: {
        scripts: {
          exec: ['environment.harnessQuoteExpiration = new Date(Date.now() + 60 * 1000).toISOString()'],
          scriptingEngine: 'javascript',
        },
        headers: headers('{$request.body.payee.partyIdInfo.fspId}'),
        body: {
          transferAmount: {
            currency: '{$request.body.amount.currency}',
            amount: '{$request.body.amount.amount}',
          },
          expiration: '{$environment.harnessQuoteExpiration}',
        },
      },
    }),
    fixed(HARNESS_RULE_IDS.transfers, 'harness: post /transfers (FIXED_CALLBACK)', on('/transfers', 'post'), {
      method: 'put',
      path: '/transfers/{ID}',
      params: {
        headers: headers('{$request.body.payeeFsp}'),
        body: { completedTimestamp: '{$function.generic.curDateISO}', transferState: 'COMMITTED' },
      },
    }),
  ];
}

function isIsoRule(r: Rule): boolean {
  return (r.conditions?.all ?? []).some(
    (c) => c.fact === 'headers' && typeof c.value === 'string' && c.value.includes('iso20022'),
  );
}

/** TTK's shipped callback rules (`default.json`, read from TTK) with the harness's FSPIOP rules in place. */
export function harnessCallbackRules(shipped: unknown[]): Rule[] {
  const rules = shipped as Rule[];
  const iso = rules.filter(isIsoRule);
  const rest = rules.filter((r) => !isIsoRule(r) && !REPLACED_OR_DROPPED.has(r.ruleId ?? -1));
  return [...iso, ...harnessFspiopRules(), ...rest];
}
