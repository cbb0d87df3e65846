// The standalone queue worker (`runtimes/node/worker.ts`) as a real process:
// started with an environment, ready once it logs `audo-eq worker started`.
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './processes.ts';

export interface RunningWorker {
  readonly process: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code; SIGKILLs after 10 s. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node --import tsx runtimes/node/worker.ts` and resolves once it is
 * consuming; rejects with its output when it exits first or takes longer than `timeoutMs`.
 *
 * @example const worker = await startWorkerProcess({ AUDO_EQ_QUEUE_BACKEND: 'redis', … }); … await worker.stop('SIGKILL');
 */
export function startWorkerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtimes/node/worker.ts'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', AUDO_EQ_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => ((exited = true), resolve(code))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start in ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('"message":"audo-eq worker started"')) {
        clearTimeout(timer);
        resolve({
          process: child,
          output: () => log,
          async stop(signal = 'SIGTERM') {
            if (!exited) child.kill(signal);
            const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            const code = await exit;
            clearTimeout(killTimer);
            return code;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting:\n${log}`));
    });
  });
}
