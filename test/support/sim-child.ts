/**
 * The simulator in a child process, for tests whose main thread blocks (the fake k6/http waits
 * with Atomics.wait, so an in-process simulator could never answer). Prints one JSON line
 * `{"url": ...}` when listening; exits when stdin closes (the parent died or is done).
 */
import { startSimulator } from '../../sim/simulator.ts';

const sim = await startSimulator({ host: '127.0.0.1', port: 0, log: () => {} });
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void sim.close().then(() => process.exit(0));
});
process.on('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
