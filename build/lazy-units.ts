/**
 * Lazy units: a module named `*.lazy.ts` is bundled so that its code (and every module only it
 * imports) is evaluated on the first call of one of its exports, not when the bundle loads.
 *
 * Why: k6 evaluates the whole bundle once per VU, and Sobek keeps one function object (≈0.7 KB)
 * per top-level function of every VU alive for the whole run. Code that only k6's coordinating
 * VU runs (options planning, setup checks, handleSummary) or only a few sentinel VUs run (the
 * detectors) would otherwise cost every load VU that memory. esbuild has no lazy ESM evaluation
 * (its `__esm` wrappers hoist function declarations), so the plugin bundles the lazy module on its
 * own and wraps the result in a function evaluated once, on demand.
 *
 * In Node (tests, tools) a `.lazy.ts` module is an ordinary module: laziness only changes when its
 * code runs, never what it does. Rules the plugin enforces:
 * - a lazy module exports functions only (each becomes a forwarding wrapper);
 * - modules it shares with the eager part are bundled twice, so it must exchange plain data with
 *   the eager part (no `instanceof` on classes from shared modules, no shared mutable state).
 */
import path from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import ts from 'typescript';

export const LAZY_MODULE = /\.lazy\.ts$/;

/** Thrown when a lazy module breaks the rules above; the message names the file and export. */
export class LazyUnitError extends Error {}

/**
 * Turns esbuild's ESM output for one lazy module into the source of an ESM module whose exports
 * evaluate that output on first call. `file` names the module in error messages.
 */
export function lazyUnitSource(bundled: string, file: string): string {
  const sf = ts.createSourceFile(file, bundled, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS);
  const imports: string[] = [];
  const body: string[] = [];
  const functions = new Set<string>();
  let exported: Array<{ local: string; name: string }> | undefined;
  for (const st of sf.statements) {
    const text = bundled.slice(st.getFullStart(), st.end);
    if (ts.isImportDeclaration(st)) {
      imports.push(text.trim());
    } else if (ts.isExportDeclaration(st)) {
      const clause = st.exportClause;
      if (exported || st.moduleSpecifier || !clause || !ts.isNamedExports(clause)) {
        throw new LazyUnitError(`${file}: unexpected export form in the bundled lazy module: ${text.trim()}`);
      }
      exported = clause.elements.map((e) => ({ local: (e.propertyName ?? e.name).text, name: e.name.text }));
    } else if (
      ts.isExportAssignment(st) ||
      (ts.canHaveModifiers(st) &&
        ts
          .getModifiers(st)
          ?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword))
    ) {
      throw new LazyUnitError(
        `${file}: unexpected export form in the bundled lazy module: ${text.trim().slice(0, 80)}`,
      );
    } else {
      if (ts.isFunctionDeclaration(st) && st.name) functions.add(st.name.text);
      body.push(text);
    }
  }
  if (!exported || exported.length === 0)
    throw new LazyUnitError(`${file}: a lazy module must export functions; it exports nothing`);
  for (const e of exported) {
    if (e.name === 'default')
      throw new LazyUnitError(`${file}: a lazy module has named exports only (found a default export)`);
    if (!functions.has(e.local)) {
      throw new LazyUnitError(
        `${file}: export "${e.name}" is not a function declaration; a lazy module exports functions only (wrap values in a function)`,
      );
    }
  }
  const table = exported.map((e) => `${JSON.stringify(e.name)}: ${e.local}`).join(', ');
  const wrappers = exported.map(
    (e) =>
      `export function ${e.name}(...args) {\n  return lazyUnit()[${JSON.stringify(e.name)}](...args);\n}`,
  );
  return [
    ...imports,
    `// Lazy unit ${file}: evaluated on the first call of an export (build/lazy-units.ts).`,
    'let lazyUnitExports;',
    'function lazyUnit() {',
    '  if (lazyUnitExports === undefined) {',
    '    lazyUnitExports = (function () {',
    body.join(''),
    `    return { ${table} };`,
    '    })();',
    '  }',
    '  return lazyUnitExports;',
    '}',
    ...wrappers,
    '',
  ].join('\n');
}

/** The esbuild plugin: serves every `*.lazy.ts` module as a lazy unit built with `options`. */
export function lazyUnitsPlugin(options: BuildOptions): Plugin {
  return {
    name: 'lazy-units',
    setup(b) {
      b.onLoad({ filter: LAZY_MODULE }, async (args) => {
        const result = await build({
          ...options,
          entryPoints: [args.path],
          outfile: undefined,
          outdir: undefined,
          write: false,
          metafile: false,
          plugins: [],
        });
        const code = result.outputFiles?.[0]?.text ?? '';
        const file = path.relative(process.cwd(), args.path);
        return { contents: lazyUnitSource(code, file), loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}
