/**
 * The folder graph: folder A depends on folder B when a file directly in A imports a file directly
 * in B. The layout promises no cycles in it (docs/ARCHITECTURE.md draws the allowed directions), so
 * that every folder can be understood, tested and changed with only the folders below it in mind.
 * `folderCycles` finds every cycle (a strongly connected component of two or more folders) with one
 * example import per edge, so a test can fail naming the files that close it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { importsOf } from './boundary.ts';

/** Folders the graph covers: every source folder of the repository. */
export const GRAPH_ROOTS = [
  'lib',
  'scenarios',
  'node',
  'sim',
  'analyzer',
  'planner',
  'cli',
  'build',
  'bench',
  'test',
] as const;

export interface FolderEdge {
  from: string;
  to: string;
  /** one import that makes the edge: `file imports specifier` */
  example: string;
}

async function listTs(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') out.push(...(await listTs(full)));
    } else if (/\.(ts|mjs)$/.test(e.name)) out.push(full);
  }
  return out;
}

/** Every folder-to-folder edge under `root` (relative imports that resolve to another folder). */
export async function folderEdges(
  root: string,
  roots: readonly string[] = GRAPH_ROOTS,
): Promise<FolderEdge[]> {
  const edges = new Map<string, FolderEdge>();
  for (const top of roots) {
    for (const file of await listTs(path.join(root, top))) {
      const from = path.relative(root, path.dirname(file));
      for (const { specifier } of importsOf(file, await readFile(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), specifier);
        const to = path.relative(root, path.dirname(target));
        if (to === from || to.startsWith('..')) continue;
        const key = `${from}\u0000${to}`;
        if (!edges.has(key))
          edges.set(key, { from, to, example: `${path.relative(root, file)} imports ${specifier}` });
      }
    }
  }
  return [...edges.values()];
}

/** The cycles of the folder graph: each a list of edges that leads from a folder back to itself. */
export async function folderCycles(
  root: string,
  roots: readonly string[] = GRAPH_ROOTS,
): Promise<FolderEdge[][]> {
  const edges = await folderEdges(root, roots);
  const out = new Map<string, FolderEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const e of out.get(v) ?? []) {
      if (!index.has(e.to)) {
        visit(e.to);
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) components.push(c);
    }
  };
  for (const v of new Set(edges.flatMap((e) => [e.from, e.to]))) if (!index.has(v)) visit(v);
  // one cycle through each component, shown as its edges
  return components.map((c) => {
    const members = new Set(c);
    const start = c.sort()[0]!;
    const path_: FolderEdge[] = [];
    const seen = new Set<string>();
    const walk = (v: string): boolean => {
      for (const e of out.get(v) ?? []) {
        if (!members.has(e.to)) continue;
        if (e.to === start) {
          path_.push(e);
          return true;
        }
        if (seen.has(e.to)) continue;
        seen.add(e.to);
        path_.push(e);
        if (walk(e.to)) return true;
        path_.pop();
      }
      return false;
    };
    walk(start);
    return path_;
  });
}
