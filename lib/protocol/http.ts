/**
 * The I/O-free description of an HTTP exchange. Protocol functions build `HttpRequest`s and
 * interpret `HttpResponse`s; the k6 adapter (lib/k6/) and the Node adapter (node/) perform them.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  /** Exact body text; undefined for no body. */
  body?: string;
  /** Low-cardinality request name, used as the k6 `name` tag (e.g. "POST /transfers"). Never an id. */
  name: string;
  /** Request timeout in ms (the adapter applies it). */
  timeoutMs?: number;
  /** Whether the caller needs the response body (k6 discards bodies otherwise). */
  wantBody?: boolean;
}

export interface HttpResponse {
  /** HTTP status; 0 when no response arrived (connection error or timeout). */
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string | null;
  /** Time from send to the end of the response, ms, as the adapter measured it. */
  durationMs: number;
  /** Transport error text when status is 0. */
  error?: string;
}
