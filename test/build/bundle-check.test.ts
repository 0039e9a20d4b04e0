import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../build/bundle.ts';
import { checkBundle, checkTotalSize, MAX_BUNDLE_BYTES, MAX_TOTAL_BYTES } from '../../build/bundle-check.ts';

describe('bundle check on raw bundle text', () => {
  it.each([
    [
      'import http from "k6/http";\nimport exec from "k6/execution";\nexport default function(){ http.get("x"); }',
      [],
    ],
    ['import { x } from "https://jslib.k6.io/k6-utils/1.2.0/index.js";', ['remote-import']],
    ['import fs from "fs";', ['import']],
    ['export const e = process.env.HUB_URL;', ['node-global']],
    ['export const b = Buffer.from("x");', ['node-global']],
    ['const m = require("node:fs");', ['node-global', 'node-global']],
    ['export const p = () => import("k6/http");', ['syntax']],
    ['async function* g() { yield 1; }', ['syntax']],
    ['async function f(xs) { for await (const x of xs) {} }', ['syntax']],
  ])('%s', (code, rules) => {
    expect(checkBundle('t.js', code).map((v) => v.rule)).toEqual(rules);
  });

  it('ignores Node words inside strings, comments and property names', () => {
    const code = [
      '// process the Buffer later',
      'const msg = "process exited; require more VUs";',
      'const o = { process: 1, Buffer: 2 };',
      'export const v = o.process + o.Buffer + msg.length;',
      'function f(require) { return require; }',
    ].join('\n');
    expect(checkBundle('t.js', code)).toEqual([]);
  });

  it('enforces the per-bundle and total size budgets', () => {
    const big = `export const s = "${'a'.repeat(MAX_BUNDLE_BYTES)}";`;
    expect(checkBundle('big.js', big).map((v) => v.rule)).toEqual(['size']);
    expect(
      checkTotalSize([
        { name: 'a', bytes: MAX_TOTAL_BYTES },
        { name: 'b', bytes: 1 },
      ]),
    ).toHaveLength(1);
    expect(checkTotalSize([{ name: 'a', bytes: MAX_TOTAL_BYTES }])).toHaveLength(0);
  });
});

describe('esbuild pipeline', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bundle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lowers async generators and for-await, keeps k6 imports external and bundles the rest', async () => {
    const helper = path.join(dir, 'helper.ts');
    await writeFile(
      helper,
      'export async function* ticks(n: number) { for (let i = 0; i < n; i++) yield i; }\n',
    );
    const entry = path.join(dir, 'good.ts');
    await writeFile(
      entry,
      [
        "import http from 'k6/http';",
        "import { ticks } from './helper.ts';",
        'export default async function () {',
        '  let n = 0;',
        '  for await (const t of ticks(3)) n += t;',
        "  http.get('http://127.0.0.1:1/' + n);",
        '}',
      ].join('\n'),
    );
    const { bundles, violations } = await bundleEntries([entry], path.join(dir, 'out'), false);
    expect(violations).toEqual([]);
    expect(bundles).toHaveLength(1);
    const code = bundles[0]!.code;
    expect(code).toMatch(/from "k6\/http"/);
    expect(code).not.toMatch(/async function\*/);
    expect(code).not.toMatch(/for await/);
  });

  it('fails a scenario that pulls in a Node built-in or Node globals', async () => {
    const entry = path.join(dir, 'leaky.ts');
    await writeFile(
      entry,
      "import { readFileSync } from 'node:fs';\nexport default function () { return readFileSync(process.argv[1]!); }\n",
    );
    const { violations } = await bundleEntries([entry], path.join(dir, 'out'), false);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]!.detail).toMatch(/node:fs|esbuild failed/);
  });
});
