// Client-side helpers for the end-to-end tests: POST /master with fixture
// files, read a WAV header, and pick JSON log records out of server output.
import { readFileSync } from 'node:fs';
import { waitBoundMs } from './deadline.ts';

export interface MasterCall {
  readonly query?: string;
  readonly headers?: Record<string, string>;
  /** File names sent in the parts (default: the fixtures' own names). */
  readonly filenames?: { target?: string; reference?: string };
  /** Aborts the request (e.g. `AbortSignal.timeout(ms)` so a hang fails instead of stalling). */
  readonly signal?: AbortSignal;
}

/**
 * `fetch` on a connection of its own (`Connection: close`). fetch keeps idle
 * sockets for reuse; when this process's event loop stalls (a busy machine,
 * synchronous work in a test) a socket can outlive the server's 5 s
 * keep-alive, and the next request is written into a socket the server has
 * just closed ("fetch failed", ECONNRESET/EPIPE). A fresh connection per
 * request has no such race; tests here are not about connection reuse.
 *
 * @example const ready = await fetchFresh(`${server.baseUrl}/ready`);
 */
export function fetchFresh(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('connection')) headers.set('connection', 'close');
  return fetch(url, { ...init, headers });
}

/**
 * POSTs `target` and `reference` (file paths or bytes) to `/master` as
 * multipart/form-data, on a kept-alive connection: an early answer (503
 * overloaded, 413) relies on the server reading the rest of the upload, which
 * it does only on a connection it keeps (with `Connection: close` Node closes
 * the socket while the client is still sending). Pass `connection: close` in
 * `headers` for a fresh connection where every request is read whole.
 */
export async function postMaster(baseUrl: string, target: string | Uint8Array, reference: string | Uint8Array, call: MasterCall = {}): Promise<Response> {
  const form = new FormData();
  const bytesOf = (file: string | Uint8Array) => (typeof file === 'string' ? new Uint8Array(readFileSync(file)) : file);
  const nameOf = (file: string | Uint8Array, fallback: string) => (typeof file === 'string' ? file.split('/').pop()! : fallback);
  form.append('target', new Blob([bytesOf(target) as Uint8Array<ArrayBuffer>]), call.filenames?.target ?? nameOf(target, 'target.wav'));
  form.append('reference', new Blob([bytesOf(reference) as Uint8Array<ArrayBuffer>]), call.filenames?.reference ?? nameOf(reference, 'reference.wav'));
  return fetch(`${baseUrl}/master${call.query ?? ''}`, { method: 'POST', body: form, headers: call.headers, signal: call.signal });
}

export interface WavInfo {
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRateHz: number;
  readonly bitsPerSample: number;
  readonly dataBytes: number;
  readonly frames: number;
}

/**
 * Reads a RIFF/WAVE file's fmt and data chunks and checks the sizes add up;
 * throws when the bytes are not a well-formed WAV.
 */
export function readWavInfo(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not RIFF/WAVE');
  if (view.getUint32(4, true) + 8 !== bytes.byteLength) throw new Error(`RIFF size ${view.getUint32(4, true) + 8} != file size ${bytes.byteLength}`);
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataBytes' | 'frames'> | undefined;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      const formatTag = view.getUint16(offset + 8, true);
      fmt = {
        formatTag: formatTag === 0xfffe ? view.getUint16(offset + 8 + 24, true) : formatTag,
        channels: view.getUint16(offset + 10, true),
        sampleRateHz: view.getUint32(offset + 12, true),
        bitsPerSample: view.getUint16(offset + 22, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data before fmt');
      if (offset + 8 + size !== bytes.byteLength) throw new Error('data chunk does not end the file');
      const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels;
      if (size % frameBytes !== 0) throw new Error('data is not whole frames');
      return { ...fmt, dataBytes: size, frames: size / frameBytes };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

export interface LogRecord {
  readonly message: string;
  readonly level: string;
  readonly [field: string]: unknown;
}

/** Every JSON log record in a server's output (other lines are skipped). */
export function jsonLogRecords(output: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // A line cut mid-write by the capture; the next read will have it whole.
    }
  }
  return records;
}

/** The `domain_event_emitted` event names logged for one correlation id, in order. */
export function eventNamesFor(output: string, correlationId: string): string[] {
  return jsonLogRecords(output)
    .filter((r) => r.message === 'domain_event_emitted' && r.correlation_id === correlationId)
    .map((r) => String(r.event_name));
}

/** Waits until `predicate(output())` holds (log lines arrive asynchronously), or fails after `requestedMs` (at least `MIN_WAIT_BOUND_MS`). */
export async function waitForOutput(output: () => string, predicate: (text: string) => boolean, requestedMs = 5000): Promise<void> {
  const timeoutMs = waitBoundMs(requestedMs);
  const deadline = Date.now() + timeoutMs;
  while (!predicate(output())) {
    if (Date.now() > deadline) throw new Error(`expected log output did not appear within ${timeoutMs} ms:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The first `seconds` of a PCM WAV file as a new, well-formed WAV (all chunks
 * before `data` kept, sizes rewritten): real audio, short enough that
 * mastering it takes little time in tests about other things.
 */
export function truncateWav(bytes: Uint8Array, seconds: number): Uint8Array {
  const info = readWavInfo(bytes);
  const frameBytes = (info.bitsPerSample / 8) * info.channels;
  const keepBytes = Math.min(info.dataBytes, Math.round(seconds * info.sampleRateHz) * frameBytes);
  const headerBytes = bytes.byteLength - info.dataBytes;
  const out = new Uint8Array(headerBytes + keepBytes);
  out.set(bytes.subarray(0, headerBytes + keepBytes));
  const view = new DataView(out.buffer);
  view.setUint32(4, out.byteLength - 8, true);
  view.setUint32(headerBytes - 4, keepBytes, true);
  return out;
}
