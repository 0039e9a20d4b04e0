/**
 * The k6/Node boundary check. Code that runs inside k6 (lib/, scenarios/) may import
 * only k6 modules and other k6-side files (npm packages only as `import type`, which is erased).
 * Node-side code never imports k6 modules, lib/k6/ or scenarios/.
 *
 * Works on source text with the TypeScript parser, so it sees every import form
 * (static, re-export, dynamic import(), require()).
 */
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

export const K6_SIDE_DIRS = ['lib', 'scenarios'] as const;
export const NODE_SIDE_DIRS = ['sim', 'analyzer', 'cli', 'node', 'build', 'bench', 'planner'] as const;

export interface BoundaryViolation {
  file: string;
  specifier: string;
  reason: string;
}

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export function importsOf(fileName: string, text: string): ImportRef[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      out.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.arguments.length > 0 &&
      ts.isStringLiteral(node.arguments[0]!)
    ) {
      const callee = node.expression;
      if (
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require')
      ) {
        out.push({ specifier: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
      }
    } else if (ts.isImportTypeNode(node)) {
      // `import('x').T` in a type position: erased.
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

const isK6Module = (s: string): boolean => s === 'k6' || s.startsWith('k6/');
const isRelative = (s: string): boolean => s.startsWith('.') || s.startsWith('/');

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
      if (e.name !== 'node_modules') out.push(...(await listTs(full)));
    } else if (e.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Violations of a k6-side file: Node built-ins, runtime npm packages, Node-side folders. */
export function checkK6SideFile(root: string, file: string, imports: ImportRef[]): BoundaryViolation[] {
  const rel = path.relative(root, file);
  const out: BoundaryViolation[] = [];
  for (const { specifier, typeOnly } of imports) {
    if (isK6Module(specifier)) {
      const dir = rel.split(path.sep)[0];
      const inGlue = rel.startsWith(`lib${path.sep}k6${path.sep}`) || dir === 'scenarios';
      if (!inGlue)
        out.push({
          file: rel,
          specifier,
          reason: 'k6 modules are imported only by lib/k6/ and scenarios/ (keep the core sans-IO)',
        });
      continue;
    }
    if (NODE_BUILTINS.has(specifier)) {
      out.push({ file: rel, specifier, reason: 'Node built-in in k6-side code (k6 has no Node)' });
      continue;
    }
    if (isRelative(specifier)) {
      const target = path.relative(root, path.resolve(path.dirname(file), specifier));
      const top = target.split(path.sep)[0] ?? '';
      if (!(K6_SIDE_DIRS as readonly string[]).includes(top)) {
        out.push({ file: rel, specifier, reason: `k6-side code imports Node-side ${top}/` });
      }
      continue;
    }
    if (!typeOnly)
      out.push({
        file: rel,
        specifier,
        reason: 'npm package imported at run time in k6-side code (only `import type` is allowed)',
      });
  }
  return out;
}

/** Violations of a Node-side file: k6 modules, the k6 glue, k6 entry points. */
export function checkNodeSideFile(root: string, file: string, imports: ImportRef[]): BoundaryViolation[] {
  const rel = path.relative(root, file);
  const out: BoundaryViolation[] = [];
  for (const { specifier, typeOnly } of imports) {
    if (typeOnly) continue;
    if (isK6Module(specifier)) {
      out.push({ file: rel, specifier, reason: 'k6 module in Node-side code (it exists only inside k6)' });
      continue;
    }
    if (isRelative(specifier)) {
      const target = path.relative(root, path.resolve(path.dirname(file), specifier));
      if (target.startsWith(`lib${path.sep}k6${path.sep}`) || target.split(path.sep)[0] === 'scenarios') {
        out.push({ file: rel, specifier, reason: 'Node-side code imports k6 glue (lib/k6/ or scenarios/)' });
      }
    }
  }
  return out;
}

/** Checks every .ts file of the k6-side and Node-side folders under `root`. */
export async function checkBoundary(root: string): Promise<BoundaryViolation[]> {
  const out: BoundaryViolation[] = [];
  for (const dir of K6_SIDE_DIRS) {
    for (const file of await listTs(path.join(root, dir))) {
      out.push(...checkK6SideFile(root, file, importsOf(file, await readFile(file, 'utf8'))));
    }
  }
  for (const dir of NODE_SIDE_DIRS) {
    for (const file of await listTs(path.join(root, dir))) {
      out.push(...checkNodeSideFile(root, file, importsOf(file, await readFile(file, 'utf8'))));
    }
  }
  return out;
}
