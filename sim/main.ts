/**
 * `npm run sim`: starts the embedded simulator (all-in-one on 127.0.0.1:4300 by default), prints
 * one line saying what listens where, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { parseCli, USAGE } from './options.ts';
import { startSimulator } from './simulator.ts';

async function main(): Promise<number> {
  const parsed = parseCli(process.argv.slice(2), process.env);
  if (parsed.ok === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (!parsed.ok) {
    console.error(`sim: ${parsed.error}`);
    return 2;
  }
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(parsed.value);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint =
      err.code === 'EADDRINUSE' ? ' (port in use: pick another with --port or SIM_PORT, or 0 for any)' : '';
    console.error(`sim: cannot start: ${err.message}${hint}`);
    return 1;
  }
  // The handlers are installed before the startup line is printed: whoever waits for that line
  // (npm start, tests, scripts) may signal at once, and a signal without a handler kills the process.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      console.log(`sim: ${signal} received, shutting down`);
      const force = setTimeout(() => resolve(), 5000);
      force.unref();
      sim.close().then(() => {
        clearTimeout(force);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  console.log(sim.startupLine);
  await stopped;
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('sim: fatal:', e);
    process.exit(1);
  },
);
