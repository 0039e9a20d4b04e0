/**
 * Rejection reasons: what the hub (or an ingress, or an SDK) said when it refused a transfer, its
 * code and description, carried through to the summary and the analyzer so that "rejected 21"
 * comes with "because: must match pattern …".
 *
 * Metric tags cannot carry free text (every distinct value is a time series), so a reason travels
 * as the *name of a failing k6 check*: k6 counts checks by name in the end-of-test data
 * (`root_group.checks`), in its own summary, in the JSON output (`checks` samples tagged `check`) and
 * in k6 Cloud. To keep that bounded, descriptions are normalised (ids and long numbers become `…`,
 * at most {@link MAX_REASON_TEXT} characters) and each VU names at most {@link MAX_REASONS_PER_VU}
 * distinct reasons; later ones are counted under one catch-all name per code.
 */
export const REASON_PREFIX = 'rejected ';
export const MAX_REASONS_PER_VU = 16;
export const MAX_REASON_TEXT = 120;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
const LONG_NUMBER = /\d{6,}/g;
/** What syncOutcome prefixes to the text of a refusal without an FSPIOP error. */
const HTTP_PREFIX = /^HTTP \d{3}: /;

/** A description as a reason's text: one line, ids and long numbers elided, bounded. */
export function reasonText(description: string): string {
  const t = description
    .replace(HTTP_PREFIX, '')
    .replace(UUID, '…')
    .replace(ULID, '…')
    .replace(LONG_NUMBER, '…')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > MAX_REASON_TEXT ? `${t.slice(0, MAX_REASON_TEXT - 1)}…` : t;
}

/** The check name of a rejection: `rejected <code>: <text>` (`<code>` as the `error_code` tag). */
export function reasonName(code: string, description: string | undefined): string {
  const text = description === undefined ? '' : reasonText(description);
  return text === '' ? `${REASON_PREFIX}${code}` : `${REASON_PREFIX}${code}: ${text}`;
}

/** Names reasons for one VU, at most {@link MAX_REASONS_PER_VU} distinct ones. */
export class ReasonNamer {
  private readonly names = new Set<string>();

  name(code: string, description: string | undefined): string {
    const n = reasonName(code, description);
    if (this.names.has(n)) return n;
    if (this.names.size < MAX_REASONS_PER_VU) {
      this.names.add(n);
      return n;
    }
    return `${REASON_PREFIX}${code}: (further descriptions)`;
  }
}

/** A reason read back from a check (summary data or JSON output): the check name without the prefix. */
export function reasonOfCheck(checkName: string): string | undefined {
  return checkName.startsWith(REASON_PREFIX) ? checkName.slice(REASON_PREFIX.length) : undefined;
}
