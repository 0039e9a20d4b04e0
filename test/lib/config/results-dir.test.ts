import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/errors.ts';
import { type DirProbe, openProbe, resolveResultsDir } from '../../../lib/config/results-dir.ts';
import { parseRunConfig } from '../../../lib/config/run-config.ts';

/** What k6's open() does (docs/facts/k6.md#summary-files), with Node's fs: the messages k6 gives. */
function k6Open(p: string): string {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(p);
  } catch {
    throw new Error(`GoError: stat ${p}: no such file or directory`);
  }
  if (st.isDirectory()) throw new Error(`GoError: open() can't be used with directories, path: "${p}"`);
  return 'contents';
}

const root = mkdtempSync(path.join(tmpdir(), 'results-dir-'));
mkdirSync(path.join(root, 'results'));
writeFileSync(path.join(root, 'afile'), 'x');
const probe: DirProbe = openProbe(k6Open);

describe('RESULTS_DIR is checked before any load', () => {
  it.each([
    // raw, PWD, dir written to, note or error
    ['none', root, { dir: undefined, note: /RESULTS_DIR=none/ }],
    [' none ', undefined, { dir: undefined, note: /RESULTS_DIR=none/ }],
    ['results', root, { dir: 'results', note: undefined }],
    ['results/', root, { dir: 'results', note: undefined }],
    [path.join(root, 'results'), undefined, { dir: path.join(root, 'results'), note: undefined }],
    ['results', undefined, { dir: undefined, note: /relative.*no PWD.*absolute RESULTS_DIR/ }],
    ['results', 'relative/pwd', { dir: undefined, note: /relative/ }],
    ['nope', root, { error: /"nope" \(.*\/nope\) does not exist.*mkdir -p nope.*RESULTS_DIR=none/ }],
    [path.join(root, 'nope'), root, { error: /does not exist and k6 cannot create it/ }],
    ['afile', root, { error: /is a file, expected a directory/ }],
  ] as const)('%j with PWD %j', (raw, pwd, expected) => {
    const r = resolveResultsDir(raw, pwd, probe);
    if ('error' in expected) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(expected.error);
      return;
    }
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.dir).toBe(expected.dir);
    if (expected.note === undefined) expect(r.value.note).toBeUndefined();
    else expect(r.value.note).toMatch(expected.note);
  });

  it('is not checked without a probe (the planner, Node), and other probe errors are named', () => {
    expect(resolveResultsDir('nope', root, undefined)).toEqual({
      ok: true,
      value: { dir: 'nope', note: undefined },
    });
    const denied = openProbe(() => {
      throw new Error('permission denied');
    });
    const r = resolveResultsDir('/x', undefined, denied);
    expect(r).toEqual({ ok: false, error: 'cannot check the directory "/x": permission denied' });
  });

  it('refuses a missing directory in the config, naming RESULTS_DIR', () => {
    const parse = () => parseRunConfig('transfers', { RESULTS_DIR: 'missing-dir', PWD: root }, k6Open, probe);
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/RESULTS_DIR: the directory "missing-dir"/);
    expect(parseRunConfig('transfers', { PWD: root }, k6Open, probe).resultsDir).toBe('results');
  });
});
