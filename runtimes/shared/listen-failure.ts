/**
 * Why a server could not listen, as one line an operator can act on, for
 * every runtime: Node's errors carry `code` (`EADDRINUSE`), Deno's a class
 * name (`AddrInUse`), Bun's either. The servers print this line on stderr
 * and exit 1 instead of dying on an unhandled error with a stack trace.
 */

/** What each failure means and which setting to change. */
const REASONS: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [['EADDRINUSE', 'AddrInUse'], 'the port is already in use; stop what holds it or set API_PORT to a free port'],
  [['EACCES', 'EPERM', 'PermissionDenied'], 'permission denied; ports below 1024 need privileges, so set API_PORT to 1024 or above'],
  [['EADDRNOTAVAIL', 'AddrNotAvailable'], 'the address is not one of this machine’s; set API_HOST to one of its addresses, or 0.0.0.0 for all'],
  [['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'], 'API_HOST does not resolve to an address'],
];

/** The error's code in whichever form the runtime gives it. */
function codeOf(error: unknown): string {
  const candidate = error as { code?: unknown; name?: unknown } | null;
  if (typeof candidate?.code === 'string') return candidate.code;
  if (typeof candidate?.name === 'string' && candidate.name !== 'Error') return candidate.name;
  return 'unknown';
}

/**
 * The failure's code and a one-line reason naming the setting to check.
 *
 * @example describeListenFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }))
 * // { code: 'EADDRINUSE', reason: 'the port is already in use; stop what holds it or set API_PORT to a free port' }
 */
export function describeListenFailure(error: unknown): { code: string; reason: string } {
  const code = codeOf(error);
  const known = REASONS.find(([codes]) => codes.includes(code));
  if (known) return { code, reason: known[1] };
  const message = error instanceof Error ? error.message : String(error);
  return { code, reason: message.split('\n')[0] };
}

/**
 * The one line a server prints on stderr when it cannot listen, like a
 * configuration error's.
 *
 * @example listenFailureLine(error, '0.0.0.0', 8000)
 * // 'audo-eq cannot listen on 0.0.0.0:8000 (EADDRINUSE): the port is already in use; stop what holds it or set API_PORT to a free port'
 */
export function listenFailureLine(error: unknown, host: string, port: number): string {
  const { code, reason } = describeListenFailure(error);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return `audo-eq cannot listen on ${address} (${code}): ${reason}`;
}
