/**
 * `npm run analyze -- [options] <files...>`: the post-run analyzer over k6 --out json / --out csv
 * files (see docs/analyzer.md). Everything lives in analyzer/cli.ts; this file only sets the exit code.
 */
import { main } from '../analyzer/cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`analyze: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 4;
  },
);
