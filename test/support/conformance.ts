/**
 * Whether the conformance tests (real Mojaloop software from conformance/) may skip. Locally a
 * missing `npm ci --prefix conformance` is a skip that says so; in CI (`CONFORMANCE_REQUIRED=1`,
 * set by .ci/run, which installs conformance/) it is a failure, so the suite can never pass there
 * without having checked the kit against the real software.
 */
export function skipOrFail(reason: string | undefined): string | undefined {
  if (reason !== undefined && process.env.CONFORMANCE_REQUIRED === '1') {
    throw new Error(`${reason}; CONFORMANCE_REQUIRED=1 makes this a failure, not a skip`);
  }
  return reason;
}
