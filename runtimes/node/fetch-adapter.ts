import type { IncomingMessage, ServerResponse } from 'node:http';

type FetchHandler = (request: Request) => Promise<Response>;

/**
 * After an early answer (413, 401, 400 on the query, 503 overloaded…) the rest
 * of the upload is read and dropped, up to this many bytes, so the client can
 * finish sending and read the answer on a healthy connection. Past it the
 * server half-closes and cuts the connection a moment later: cutting at once
 * would reset a connection the client is still writing to, and a reset can
 * destroy the answer before the client reads it.
 */
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;
/** A client that stops sending (a stalled upload answered with a timeout) is not waited for longer than this. */
const DRAIN_TIMEOUT_MS = 5000;

/**
 * Translates node:http requests into Web `Request`s for a fetch handler and
 * streams the `Response` back. The body is streamed both ways (never buffered
 * here), so size limits in the core apply as bytes arrive.
 *
 * @example http.createServer(toNodeListener(createHandler())).listen(8000)
 */
export function toNodeListener(handler: FetchHandler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const request = toRequest(req, abort.signal);
      const response = await handler(request);
      await writeResponse(response, res, req);
      if (!req.complete) await drainOrClose(request, req);
    } catch {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ detail: { code: 'internal_error', message: 'An internal error occurred.' } }));
      } else {
        res.destroy();
      }
    }
  };
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const host = req.headers.host ?? '127.0.0.1';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const init: StreamingRequestInit = {
    method: req.method,
    headers,
    signal,
    ...(hasBody ? { body: requestBody(req), duplex: 'half' } : {}),
  };
  return new Request(url, init);
}

/**
 * The request body as a Web stream, read as the handler pulls it (no
 * buffering of its own). Each chunk goes on as a view of the buffer Node read
 * it into (a new one per read): `Readable.toWeb` copies every chunk, which
 * for a 95 MB upload cost ~0.2 s of the request. Cancelling destroys the
 * request stream, as `Readable.toWeb`'s cancel does.
 */
function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      cancel() {
        req.destroy();
        void chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Node's fetch needs `duplex: 'half'` for a streamed request body; TypeScript's RequestInit does not list it. */
interface StreamingRequestInit extends RequestInit {
  readonly duplex?: 'half';
}

/**
 * `x-correlation-id` → `X-Correlation-Id`. Fetch `Headers` lower-case every
 * name; names are case-insensitive in HTTP, but operators grep header dumps
 * case-sensitively (the runbook does), so they go out in their usual casing.
 */
function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

async function writeResponse(response: Response, res: ServerResponse, req: IncomingMessage): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[canonicalHeaderName(name)] = value;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length) headers['Set-Cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value) && !(await drained(res))) {
      // The client went away: the rest of the body is not wanted.
      await reader.cancel();
      return;
    }
  }
  res.end();
}

/** Waits until `res` takes writes again (true) or its connection is gone (false), which would never drain. */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Half-closes now and cuts the connection after a grace period (see DRAIN_LIMIT_BYTES). */
function closeGently(req: IncomingMessage): void {
  const socket = req.socket;
  if (socket.destroyed) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Reads and drops what is left of an unread request body (bounded in bytes and time), or closes the connection. */
async function drainOrClose(request: Request, req: IncomingMessage): Promise<void> {
  const body = request.body;
  if (!body || body.locked) return closeGently(req);
  const reader = body.getReader();
  let drainedBytes = 0;
  // Releasing the lock rejects the pending read, which ends the loop below.
  const timer = setTimeout(() => {
    reader.releaseLock();
    closeGently(req);
  }, DRAIN_TIMEOUT_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      drainedBytes += value.byteLength;
      if (drainedBytes > DRAIN_LIMIT_BYTES) {
        reader.releaseLock();
        return closeGently(req);
      }
    }
  } catch {
    // The client went away, or stopped sending and was cut; nothing left to drain.
  } finally {
    clearTimeout(timer);
  }
}
