import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoundary } from '../../build/boundary.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('k6/Node boundary', () => {
  it('holds in this repository', async () => {
    expect(await checkBoundary(repoRoot)).toEqual([]);
  });

  describe('on a fixture tree that leaks', () => {
    let root: string;
    const files: Record<string, string> = {
      'lib/leaks-node.ts': `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;`,
      'lib/leaks-bare-builtin.ts': `import crypto from 'crypto';\nexport const y = crypto;`,
      'lib/leaks-npm.ts': `import Ajv from 'ajv';\nexport const z = Ajv;`,
      'lib/type-only-npm.ts': `import type { v2_0 } from '@mojaloop/api-snippets';\nexport type T = v2_0.Types.Money;`,
      'lib/core-imports-k6.ts': `import http from 'k6/http';\nexport const h = http;`,
      'lib/k6/glue.ts': `import http from 'k6/http';\nexport const h = http;`,
      'lib/reaches-node-side.ts': `export { nodeCrypto } from '../node/crypto.ts';`,
      'scenarios/dynamic-require.ts': `const fs = require('fs');\nexport default function () { return fs; }`,
      'lib/thresholds/fine.ts': `import { METRIC } from '../metrics/registry.ts';\nexport const t = METRIC;`,
      'sim/uses-k6.ts': `import { check } from 'k6';\nexport const c = check;`,
      'analyzer/uses-glue.ts': `import { k6Crypto } from '../lib/k6/crypto.ts';\nexport const c = k6Crypto;`,
      'cli/uses-core.ts': `import { ulid } from '../lib/protocol/ids.ts';\nexport const u = ulid;`,
      'node/dynamic-k6.ts': `export const load = () => import('k6/metrics');`,
    };

    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'boundary-'));
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
        await writeFile(path.join(root, rel), text);
      }
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('reports exactly the leaking files', async () => {
      const violations = await checkBoundary(root);
      const byFile = Object.fromEntries(violations.map((v) => [v.file, v.specifier]));
      expect(byFile).toEqual({
        'lib/leaks-node.ts': 'node:fs',
        'lib/leaks-bare-builtin.ts': 'crypto',
        'lib/leaks-npm.ts': 'ajv',
        'lib/core-imports-k6.ts': 'k6/http',
        'lib/reaches-node-side.ts': '../node/crypto.ts',
        'scenarios/dynamic-require.ts': 'fs',
        'sim/uses-k6.ts': 'k6',
        'analyzer/uses-glue.ts': '../lib/k6/crypto.ts',
        'node/dynamic-k6.ts': 'k6/metrics',
      });
      expect(violations).toHaveLength(9);
      for (const v of violations) expect(v.reason.length).toBeGreaterThan(10);
    });
  });
});
