import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../build/bundle.ts';
import { LazyUnitError, lazyUnitSource } from '../../build/lazy-units.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Evaluations {
  eager?: number;
  lazy?: number;
  shared?: number;
}
const counters = globalThis as unknown as { __lazyUnitTest?: Evaluations };

function count(key: keyof Evaluations): string {
  return `((globalThis.__lazyUnitTest ??= {}).${key} = (globalThis.__lazyUnitTest.${key} ?? 0) + 1);`;
}

describe('lazy units in a bundle', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mk6-lazy-'));
    await writeFile(
      path.join(dir, 'shared.ts'),
      `${count('shared')}\nexport function base(): number { return 100; }\n`,
    );
    await writeFile(
      path.join(dir, 'unit.lazy.ts'),
      [
        "import { base } from './shared.ts';",
        count('lazy'),
        'const table = [1, 2, 3];',
        'function sum(xs: number[]): number { return xs.reduce((a, b) => a + b, 0); }',
        'export function total(extra: number, scale = 1): number { return (sum(table) + base() + extra) * scale; }',
        'export function kinds(...xs: unknown[]): string[] { return xs.map((x) => typeof x); }',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'entry.ts'),
      [
        "import { base } from './shared.ts';",
        "import { kinds, total } from './unit.lazy.ts';",
        count('eager'),
        'export const eagerBase = base();',
        'export function run(extra: number, scale?: number): number { return total(extra, scale); }',
        'export function types(...xs: unknown[]): string[] { return kinds(...xs); }',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'bad.lazy.ts'),
      'export const limit = 3;\nexport function f(): number { return limit; }\n',
    );
    await writeFile(
      path.join(dir, 'bad-entry.ts'),
      "import { f } from './bad.lazy.ts';\nexport const v = f();\n",
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    delete counters.__lazyUnitTest;
  });

  it('evaluates the unit on the first call of an export, once, and forwards arguments and results', async () => {
    const { bundles, violations } = await bundleEntries([path.join(dir, 'entry.ts')], path.join(dir, 'out'));
    expect(violations).toEqual([]);
    const file = path.join(dir, 'out', 'entry.js');
    await writeFile(file.replace(/\.js$/, '.mjs'), bundles[0]!.code);
    const mod = (await import(pathToFileURL(file.replace(/\.js$/, '.mjs')).href)) as {
      eagerBase: number;
      run(extra: number, scale?: number): number;
      types(...xs: unknown[]): string[];
    };
    expect(mod.eagerBase).toBe(100);
    // The eager code and its imports ran; the unit did not.
    expect(counters.__lazyUnitTest).toEqual({ eager: 1, shared: 1 });
    expect(mod.run(4)).toBe(110);
    // The unit ran once, with its own copy of the shared module.
    expect(counters.__lazyUnitTest).toEqual({ eager: 1, shared: 2, lazy: 1 });
    expect(mod.run(0, 2)).toBe(212);
    expect(mod.types(1, 'a', undefined, null)).toEqual(['number', 'string', 'undefined', 'object']);
    expect(counters.__lazyUnitTest).toEqual({ eager: 1, shared: 2, lazy: 1 });
  });

  it('refuses a lazy module that exports anything but functions, naming the file and the export', async () => {
    const { violations } = await bundleEntries(
      [path.join(dir, 'bad-entry.ts')],
      path.join(dir, 'out'),
      false,
    );
    expect(violations).toHaveLength(1);
    expect(violations[0]!.detail).toMatch(/bad\.lazy\.ts: export "limit" is not a function declaration/);
  });
});

describe('lazyUnitSource', () => {
  it('keeps k6 imports at module level and wraps everything else', () => {
    const out = lazyUnitSource(
      'import { sleep } from "k6";\nconst n = 2;\nfunction nap() { sleep(n); }\nexport {\n  nap as pause\n};\n',
      'x.lazy.ts',
    );
    const sf = ts.createSourceFile('o.js', out, ts.ScriptTarget.ES2020, true);
    const top = sf.statements.map((s) => ts.SyntaxKind[s.kind]);
    expect(top[0]).toBe('ImportDeclaration');
    // Only the loader and the forwarding wrapper are module-level functions; `nap` is nested.
    const fns = sf.statements.filter(ts.isFunctionDeclaration).map((f) => f.name?.text);
    expect(fns).toEqual(['lazyUnit', 'pause']);
  });

  it.each([
    ['export default function f() {}\n', /default export|unexpected export/],
    ['const a = 1;\nexport default a;\n', /unexpected export form/],
    ['const a = 1;\nexport { a };\n', /export "a" is not a function declaration/],
    ['function f() {}\n', /exports nothing/],
    ['export { x } from "./y.ts";\n', /unexpected export form/],
  ])('rejects %j', (code, message) => {
    expect(() => lazyUnitSource(code, 'x.lazy.ts')).toThrow(LazyUnitError);
    expect(() => lazyUnitSource(code, 'x.lazy.ts')).toThrow(message);
  });
});

describe('the scenario bundles keep coordinator-only and sentinel-only code out of the load VUs', () => {
  // Top-level functions and classes are created in every VU; these must live inside lazy units.
  const LAZY_ONLY = [
    'planRun',
    'sizeVus',
    'splitArrivalRate',
    'composedThresholds',
    'summaryOutputs',
    'renderJunit',
    'computeVerdict',
    'HubDetector',
    'GeneratorDetector',
    'BucketSeries',
  ];

  it('has none of them at the top level of any bundle', async () => {
    const { bundles, violations } = await bundleEntries(
      ['transfers', 'e2e', 'outbound'].map((n) => path.join(root, 'scenarios', `${n}.ts`)),
      path.join(root, 'dist'),
      false,
    );
    expect(violations).toEqual([]);
    for (const b of bundles) {
      const sf = ts.createSourceFile(b.name, b.code, ts.ScriptTarget.ES2020, true);
      const topLevel = new Set<string>();
      for (const st of sf.statements) {
        if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name)
          topLevel.add(st.name.text);
        if (ts.isVariableStatement(st))
          for (const d of st.declarationList.declarations)
            if (ts.isIdentifier(d.name)) topLevel.add(d.name.text);
      }
      expect(
        LAZY_ONLY.filter((n) => topLevel.has(n)),
        b.name,
      ).toEqual([]);
      // ...while they are in the bundle (inside the units), so the list above is not vacuous.
      for (const n of ['planRun', 'summaryOutputs', 'HubDetector']) expect(b.code).toContain(n);
    }
  });
});
