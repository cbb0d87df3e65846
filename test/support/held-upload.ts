// A /master upload the test holds open: the multipart body is sent in two
// halves and the second goes only when the test says so. While it is held, the
// request is certainly in flight on the server (admitted, reading its body).
import { request, type ClientRequest } from 'node:http';

const BOUNDARY = 'audo-eq-held-upload';

export interface HeldUpload {
  /** Sends the rest of the body; the promise from `response` then settles. */
  release(): void;
  /** Status, headers and the whole body, once the server answers; rejects if the connection fails. */
  readonly response: Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;
  /** Drops the connection without finishing the body. */
  abort(): void;
  readonly request: ClientRequest;
}

function multipartBody(target: Uint8Array, reference: Uint8Array): Buffer {
  const part = (name: string, bytes: Uint8Array) => [
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.wav"\r\nContent-Type: audio/wav\r\n\r\n`),
    Buffer.from(bytes),
    Buffer.from('\r\n'),
  ];
  return Buffer.concat([...part('target', target), ...part('reference', reference), Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

/**
 * Starts a POST /master whose body stops halfway until `release()`.
 *
 * @example
 * const held = holdUpload(server.baseUrl, target, reference);
 * server.process.kill('SIGTERM'); held.release(); (await held.response).status // 200
 */
export function holdUpload(baseUrl: string, target: Uint8Array, reference: Uint8Array, headers: Record<string, string> = {}): HeldUpload {
  const body = multipartBody(target, reference);
  const half = Math.floor(body.byteLength / 2);
  const req = request(new URL('/master', baseUrl), {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.byteLength), ...headers },
  });
  const response = new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, half));
  return {
    request: req,
    response,
    release: () => req.end(body.subarray(half)),
    abort: () => req.destroy(),
  };
}
