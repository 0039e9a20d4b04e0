/**
 * Optional FSPIOP-Signature on the requests a DFSP sends to the hub (POST /transfers, POST /quotes).
 * Signing is asynchronous (WebCrypto in k6, node:crypto in Node), so it happens in the driver,
 * between the flow yielding a request and the request being sent; the flows stay synchronous and
 * unaware of it. Only FSPIOP requests with a body are signed: relay and outbound-API calls carry
 * no FSPIOP-Source and are left alone.
 */
import type { HttpRequest } from '../protocol/http.ts';
import { fspiopUri, type JwsAlg, type JwsSigner, signFspiop } from '../protocol/jws.ts';

/** Adds FSPIOP-URI, FSPIOP-HTTP-Method and FSPIOP-Signature to a request in place. */
export type RequestSigner = (req: HttpRequest) => Promise<void>;

export function fspiopRequestSigner(signer: JwsSigner, alg: JwsAlg): RequestSigner {
  return async (req) => {
    if (req.body === undefined) return;
    const h = req.headers;
    const source = h['FSPIOP-Source'];
    const uri = fspiopUri(req.url);
    if (source === undefined || uri === undefined) return;
    h['FSPIOP-URI'] = uri;
    h['FSPIOP-HTTP-Method'] = req.method;
    h['FSPIOP-Signature'] = await signFspiop(
      { alg, uri, method: req.method, source, destination: h['FSPIOP-Destination'], date: h.Date },
      req.body,
      signer,
    );
  };
}
