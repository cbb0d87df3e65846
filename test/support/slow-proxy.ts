// A slow HTTP reverse proxy in front of a test S3 server: it holds every
// request for `delayMs` before forwarding it, so uploads are reliably "in the
// middle" when a worker is killed; a request whose client went away during
// the hold is dropped (the upload never reaches the server), as a cut
// connection would be. It can also hold every request until released, and it
// counts the PUTs per object key that got through.
import { createServer, request as forward, type IncomingMessage } from 'node:http';

export interface SlowProxy {
  readonly endpoint: string;
  /** PUT requests forwarded per path (`/<bucket>/<key>`). */
  readonly puts: Map<string, number>;
  /** Requests currently held or forwarded and not yet answered. */
  inFlight(): number;
  /** Holds every request (after its delay) until `release()` is called. */
  pause(): void;
  release(): void;
  stop(): Promise<void>;
}

/**
 * @example const proxy = await startSlowProxy(s3.port, 300); // AUDO_EQ_S3_ENDPOINT=proxy.endpoint
 */
export async function startSlowProxy(targetPort: number, delayMs: number): Promise<SlowProxy> {
  const puts = new Map<string, number>();
  let inFlight = 0;
  let gate: Promise<void> = Promise.resolve();
  let openGate: () => void = () => {};
  const server = createServer(async (incoming: IncomingMessage, outgoing) => {
    inFlight++;
    outgoing.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await gate;
    if (incoming.socket.destroyed) return;
    const path = (incoming.url ?? '/').split('?')[0];
    if (incoming.method === 'PUT') puts.set(path, (puts.get(path) ?? 0) + 1);
    const upstream = forward({ host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    upstream.end(Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    puts,
    inFlight: () => inFlight,
    pause() {
      gate = new Promise<void>((resolve) => (openGate = resolve));
    },
    release() {
      openGate();
      gate = Promise.resolve();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
