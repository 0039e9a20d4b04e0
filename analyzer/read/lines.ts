/**
 * Streams a file as batches of text lines without ever holding the whole file: a 1 MiB read buffer,
 * gunzip when the file starts with the gzip magic bytes (whatever its name), and the partial last
 * line of each chunk carried into the next.
 *
 * Batches (one per chunk, a few thousand lines) keep the per-line cost to a loop iteration: no
 * async iterator or callback per line.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** An input file could not be read at all (missing, unreadable, not gzip when it claims to be). */
export class InputError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'InputError';
  }
}

export interface LineSink {
  /** Lines of one chunk, the first of which is line number `firstLineNo` (1-based). */
  lines(batch: string[], firstLineNo: number): void;
}

export interface ReadResult {
  /** Lines delivered (including empty ones). */
  lines: number;
  /** Bytes read from disk (compressed bytes for gzip files). */
  bytes: number;
  gzip: boolean;
  /** Set when the data ended abruptly (e.g. a gzip stream cut off by a killed runner). */
  truncated?: string;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** True when the file starts with the gzip magic bytes. Throws {@link InputError} when unreadable. */
export async function isGzip(file: string): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(file, 'r');
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === GZIP_MAGIC_0 && buf[1] === GZIP_MAGIC_1;
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`);
  } finally {
    await fh?.close();
  }
}

/**
 * Reads `file` line by line into `sink`. `onBytes` receives the raw byte count of each chunk read
 * from disk (for progress). A gzip stream that ends early is reported in `truncated` instead of
 * thrown: the lines before the cut are still valid samples.
 */
export async function readLines(
  file: string,
  sink: LineSink,
  onBytes?: (n: number) => void,
): Promise<ReadResult> {
  const gzip = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  raw.on('data', (chunk) => {
    bytes += chunk.length;
    onBytes?.(chunk.length);
  });
  let text: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    raw.on('error', (e) => gunzip.destroy(e));
    text = raw.pipe(gunzip);
  }
  text.setEncoding('utf8');
  let carry = '';
  let lineNo = 1;
  let truncated: string | undefined;
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop() ?? '';
      if (parts.length > 0) {
        sink.lines(parts, lineNo);
        lineNo += parts.length;
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (
      gzip &&
      (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || /unexpected end/i.test(err.message))
    ) {
      truncated = `gzip data ends early or is corrupt after ${lineNo - 1} lines (${err.message})`;
    } else {
      throw new InputError(file, `cannot read: ${err.message}`);
    }
  }
  if (carry.length > 0) {
    sink.lines([carry], lineNo);
    lineNo++;
  }
  const result: ReadResult = { lines: lineNo - 1, bytes, gzip };
  if (truncated !== undefined) result.truncated = truncated;
  return result;
}

/**
 * The first non-blank line of a file (gunzipped when needed), reading no more than the first
 * chunks; '' when there is none. Used to tell k6 outputs from other files in a directory.
 */
export async function firstLine(file: string, maxBytes = 1 << 16): Promise<string> {
  const gzip = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 14 });
  let text: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    text = raw.pipe(gunzip);
  }
  text.setEncoding('utf8');
  let buf = '';
  try {
    for await (const chunk of text as AsyncIterable<string>) {
      buf += chunk;
      const lines = buf.split('\n');
      const found = lines.slice(0, -1).find((l) => l.trim().length > 0);
      if (found !== undefined) return found;
      if (buf.length > maxBytes) return buf.trimStart().slice(0, maxBytes);
    }
  } catch {
    // A cut-off gzip still yields what came before; anything else: nothing usable.
  } finally {
    raw.destroy();
    text.destroy();
  }
  return buf.trim();
}
