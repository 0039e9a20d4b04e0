/**
 * The Node driver of the sans-IO flows: performs each request a flow yields with node/http.ts
 * (asynchronously) and feeds the response back, exactly as lib/k6/http.ts does with k6/http. Tests
 * and benchmarks run the very generators the k6 scenarios run, against the simulator over HTTP.
 */
import type { RequestSigner } from '../lib/flows/sign.ts';
import type { Flow } from '../lib/flows/types.ts';
import type { HttpRequest, HttpResponse } from '../lib/protocol/http.ts';
import { NodeHttpClient } from './http.ts';

export interface Performer {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** Runs a flow to its end. `onRequest` sees every request (tests assert on them). */
export async function driveFlow<R>(
  flow: Flow<R>,
  client: Performer,
  onRequest?: (req: HttpRequest, res: HttpResponse) => void,
  sign?: RequestSigner,
): Promise<R> {
  let step = flow.next(undefined as unknown as HttpResponse);
  while (!step.done) {
    const req = step.value;
    if (sign) await sign(req);
    const res = await client.request(req);
    onRequest?.(req, res);
    step = flow.next(res);
  }
  return step.value;
}

/** Runs `count` flows with at most `concurrency` in flight; results in completion order. */
export async function driveMany<R>(
  count: number,
  concurrency: number,
  make: (i: number) => Flow<R>,
  client: Performer = new NodeHttpClient(),
): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      out.push(await driveFlow(make(i), client));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return out;
}
