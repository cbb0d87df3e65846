import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * How long a started process may take to say it is ready: a bound against a
 * hang, not a start-up speed goal (loading tsx and the AWS SDK took over 30 s
 * on a machine busy with other test runs).
 */
const STARTUP_BOUND_MS = 120_000;

export interface RunningServer {
  readonly process: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a server process that logs a JSON line `{"message":"audo-eq listening",...,"port":N}`
 * and resolves once it does. API_PORT defaults to 0 so the OS picks a free port.
 */
export async function startServer(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = STARTUP_BOUND_MS,
): Promise<RunningServer> {
  const started = await startProcess(
    command,
    args,
    { API_HOST: '127.0.0.1', API_PORT: '0', ...env },
    /"message":"audo-eq listening"[^\n]*"port":(\d+)/,
    timeoutMs,
  );
  const port = Number(started.ready);
  return { process: started.process, port, baseUrl: `http://127.0.0.1:${port}`, output: started.output, stop: started.stop };
}

export const nodeServerCommand = (): [string, string[]] => [process.execPath, ['--import', 'tsx', 'runtimes/node/server.ts']];
export const denoBinary = resolve(repoRoot, 'node_modules/.bin/deno');
export const bunBinary = resolve(repoRoot, 'node_modules/.bin/bun');

export interface RunningProcess {
  readonly process: ChildProcess;
  /** What the `ready` pattern's first group captured (e.g. the base URL). */
  readonly ready: string;
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (SIGKILL after 10 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts any process and resolves once its output matches `ready` (whose
 * first group is returned), e.g. an example server printing its URL.
 *
 * @example const app = await startProcess(process.execPath, ['--import', 'tsx', 'examples/embed-node.ts'], { PORT: '0' }, /listening on (http:\S+)/);
 */
export function startProcess(command: string, args: string[], env: Record<string, string>, ready: RegExp, timeoutMs = STARTUP_BOUND_MS): Promise<RunningProcess> {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} was not ready in ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = ready.exec(log);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.stdout!.on('data', (more: Buffer) => (log += more.toString()));
      child.stderr!.on('data', (more: Buffer) => (log += more.toString()));
      resolve({
        process: child,
        ready: match[1],
        output: () => log,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          const code = await exited;
          clearTimeout(killTimer);
          return code;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${log}`));
    });
  });
}
