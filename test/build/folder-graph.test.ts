import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderCycles, folderEdges } from '../../build/folder-graph.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const show = (cycle: Array<{ example: string }>) => cycle.map((e) => e.example).join(' → ');

describe('folder graph', () => {
  it('has no cycle in this repository', async () => {
    const cycles = await folderCycles(repoRoot);
    expect(cycles.map(show)).toEqual([]);
  });

  it('sees the layers it promises (lib is below everything that uses it)', async () => {
    const edges = await folderEdges(repoRoot);
    const from = (f: string) => new Set(edges.filter((e) => e.from === f).map((e) => e.to));
    expect(from('sim/hub').has('lib/protocol')).toBe(true);
    expect([...from('lib/protocol')].every((t) => t.startsWith('lib/'))).toBe(true);
  });

  describe('on a fixture tree with cycles', () => {
    let root: string;
    const files: Record<string, string> = {
      'lib/a/x.ts': `import { y } from '../b/y.ts';\nexport const x = y;`,
      'lib/b/y.ts': `import { z } from '../c/z.ts';\nexport const y = z;`,
      'lib/c/z.ts': `import type { X } from '../a/types.ts';\nexport const z = 1 as X;`,
      'lib/a/types.ts': `export type X = number;`,
      'sim/root.ts': `export { h } from './hub/h.ts';`,
      'sim/hub/h.ts': `import { r } from '../root-helper.ts';\nexport const h = r;`,
      'sim/root-helper.ts': `export const r = 1;`,
      'cli/fine.ts': `import { x } from '../lib/a/x.ts';\nexport const f = x;`,
    };

    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'folders-'));
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
        await writeFile(path.join(root, rel), text);
      }
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('reports each cycle with the imports that close it, type-only imports included', async () => {
      const cycles = (await folderCycles(root)).map(show).sort();
      expect(cycles).toEqual([
        'lib/a/x.ts imports ../b/y.ts → lib/b/y.ts imports ../c/z.ts → lib/c/z.ts imports ../a/types.ts',
        'sim/root.ts imports ./hub/h.ts → sim/hub/h.ts imports ../root-helper.ts',
      ]);
    });
  });
});
