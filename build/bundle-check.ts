/**
 * The bundle check: proves, without k6, that a bundle is loadable by stock k6.
 *
 * A bundle fails when it imports anything but k6 modules, imports a remote (https://) module,
 * references Node globals or built-ins (process, Buffer, require, __dirname, node:*), still contains
 * syntax Sobek rejects (async generators, for await, dynamic import()), or exceeds the size budget.
 * Identifiers are found with the TypeScript parser, so words in strings and comments don't count.
 */
import ts from 'typescript';

/**
 * One bundle must fit a k6-operator ConfigMap key with room to spare, and three of them one
 * ConfigMap. Lazy units (build/lazy-units.ts) carry their own copy of the modules they share with
 * the eager code; that costs bytes once per process (k6 compiles the bundle once), not per VU.
 */
export const MAX_BUNDLE_BYTES = 320 * 1024;
/** All bundles together must fit one ConfigMap (1 MiB, the Kubernetes object limit). */
export const MAX_TOTAL_BYTES = 1024 * 1024;

const NODE_GLOBALS = new Set([
  'process',
  'Buffer',
  'require',
  '__dirname',
  '__filename',
  'module',
  'exports',
  'global',
  'setImmediate',
]);
const K6_MODULE = /^k6(\/[a-z0-9/-]+)?$/;

export interface BundleViolation {
  bundle: string;
  rule: 'import' | 'remote-import' | 'node-global' | 'syntax' | 'size';
  detail: string;
}

function declaredNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isParameter(node)) &&
      node.name &&
      ts.isIdentifier(node.name)
    ) {
      names.add(node.name.text);
    }
    if (ts.isImportSpecifier(node) || ts.isImportClause(node) || ts.isNamespaceImport(node)) {
      if (node.name) names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/** True when `id` is a reference (not a property name, key or declaration name). */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (
    (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p)) &&
    p.name === id
  )
    return false;
  if (ts.isShorthandPropertyAssignment(p)) return true;
  if (
    (ts.isVariableDeclaration(p) ||
      ts.isFunctionDeclaration(p) ||
      ts.isParameter(p) ||
      ts.isClassDeclaration(p)) &&
    p.name === id
  )
    return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  return true;
}

export function checkBundle(name: string, code: string): BundleViolation[] {
  const out: BundleViolation[] = [];
  const size = Buffer.byteLength(code, 'utf8');
  if (size > MAX_BUNDLE_BYTES) {
    out.push({
      bundle: name,
      rule: 'size',
      detail: `${size} bytes exceeds the ${MAX_BUNDLE_BYTES}-byte budget`,
    });
  }
  const file = ts.createSourceFile(name, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const declared = declaredNames(file);
  const seenGlobals = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const spec = node.moduleSpecifier.text;
      if (/^https?:\/\//.test(spec))
        out.push({ bundle: name, rule: 'remote-import', detail: `imports ${spec}` });
      else if (!K6_MODULE.test(spec))
        out.push({
          bundle: name,
          rule: 'import',
          detail: `imports ${spec} (only k6 and k6/* may stay external)`,
        });
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      out.push({ bundle: name, rule: 'syntax', detail: 'dynamic import() (k6 rejects it at run time)' });
    }
    if (
      (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) &&
      node.asteriskToken
    ) {
      if (node.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
        out.push({
          bundle: name,
          rule: 'syntax',
          detail: 'async generator (Sobek: "Async generators are not supported yet")',
        });
      }
    }
    if (ts.isForOfStatement(node) && node.awaitModifier) {
      out.push({ bundle: name, rule: 'syntax', detail: 'for await … of (unsupported by Sobek)' });
    }
    if (ts.isStringLiteral(node) && node.text.startsWith('node:') && ts.isCallExpression(node.parent)) {
      out.push({ bundle: name, rule: 'node-global', detail: `references the Node built-in ${node.text}` });
    }
    if (
      ts.isIdentifier(node) &&
      NODE_GLOBALS.has(node.text) &&
      !declared.has(node.text) &&
      isReference(node)
    ) {
      if (!seenGlobals.has(node.text)) {
        seenGlobals.add(node.text);
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        out.push({
          bundle: name,
          rule: 'node-global',
          detail: `references the Node global ${node.text} (line ${line + 1})`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

export function checkTotalSize(sizes: ReadonlyArray<{ name: string; bytes: number }>): BundleViolation[] {
  const total = sizes.reduce((s, b) => s + b.bytes, 0);
  return total > MAX_TOTAL_BYTES
    ? [
        {
          bundle: '(all)',
          rule: 'size',
          detail: `${total} bytes together exceed the ${MAX_TOTAL_BYTES}-byte ConfigMap limit`,
        },
      ]
    : [];
}
