// The standalone queue worker (`runtimes/node/worker.ts`) as a real process:
// started with an environment, ready once it logs `audo-eq worker started`.
import { startProcess, type RunningProcess } from './processes.ts';

export type RunningWorker = Omit<RunningProcess, 'ready'>;

/**
 * Starts `node --import tsx runtimes/node/worker.ts` and resolves once it is
 * consuming; rejects with its output when it exits first or takes longer than `timeoutMs`.
 *
 * @example const worker = await startWorkerProcess({ AUDO_EQ_QUEUE_BACKEND: 'redis', … }); … await worker.stop('SIGKILL');
 */
export function startWorkerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningWorker> {
  return startProcess(
    process.execPath,
    ['--import', 'tsx', 'runtimes/node/worker.ts'],
    { AUDO_EQ_LOG_FORMAT: 'json', ...env },
    /"message":"(audo-eq worker started)"/,
    timeoutMs,
  );
}
