import { createServer } from 'node:net';

/** Addresses a published container port binds on the host (Docker's defaults). */
const PROBE_HOSTS = ['0.0.0.0', '127.0.0.1', '::'] as const;

/** Errors that mean "this machine cannot tell", not "someone holds the port". */
const INCONCLUSIVE = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EACCES']);

/**
 * True when nothing listens on `port` on any of the host's wildcard or
 * loopback addresses, found by briefly listening there ourselves. An address
 * family the host lacks (no IPv6) or a privileged port we may not bind as a
 * normal user does not count as taken: Docker binds as root.
 *
 * @example if (!(await isPortFree(8000))) console.log('8000 is taken');
 */
export async function isPortFree(port: number): Promise<boolean> {
  for (const host of PROBE_HOSTS) {
    const outcome = await tryListen(port, host);
    if (outcome === 'taken') return false;
  }
  return true;
}

function tryListen(port: number, host: string): Promise<'free' | 'taken' | 'unknown'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code && INCONCLUSIVE.has(err.code) ? 'unknown' : 'taken');
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve('free'));
    });
  });
}

/**
 * The first port from `startPort` upwards that is free on the host and not in
 * `reserved` (ports other settings already claim). Throws past 65535.
 *
 * @example await findFreePort(8000, new Set([9000])); // 8000, or 8001 when 8000 is taken, ...
 */
export async function findFreePort(
  startPort: number,
  reserved: ReadonlySet<number>,
  isFree: (port: number) => Promise<boolean> = isPortFree,
): Promise<number> {
  for (let port = startPort; port <= 65535; port++) {
    if (reserved.has(port)) continue;
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${startPort} and 65535`);
}
