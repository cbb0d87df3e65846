// The shutdown sequence and the drain gate on their own, with the server,
// clean-up and exit stood in for: what runs in which order, which exit code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDrainGate } from '../../runtimes/shared/drain-gate.ts';
import { createShutdownController, DUPLICATE_SIGNAL_WINDOW_MS, type ShutdownSteps } from '../../runtimes/shared/shutdown.ts';
import { createRecordingLogger } from '../support/doubles.ts';

function steps(overrides: Partial<ShutdownSteps> = {}) {
  const calls: string[] = [];
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const logger = createRecordingLogger();
  const all: ShutdownSteps = {
    logger,
    drainTimeoutMs: 5_000,
    stopAccepting: async () => void calls.push('stopAccepting'),
    forceClose: () => void calls.push('forceClose'),
    cleanUp: async () => void calls.push('cleanUp'),
    exit: (code) => {
      calls.push(`exit ${code}`);
      resolveExit(code);
    },
    ...overrides,
  };
  return { all, calls, exited, logger };
}

test('the first signal stops accepting, waits for the drain, cleans up, logs and exits 0', async () => {
  const { all, calls, exited, logger } = steps();
  const controller = createShutdownController(all);
  controller.onSignal('SIGTERM');
  assert.ok(controller.started);
  assert.is(await exited, 0);
  assert.equal(calls, ['stopAccepting', 'cleanUp', 'exit 0']);
  assert.equal(logger.records.map((r) => r.message), ['audo-eq shutting down', 'audo-eq stopped']);
  assert.is(logger.records[0].fields.signal, 'SIGTERM');
});

test('a drain that outlasts the timeout is cut, then clean-up still runs and the exit code is 1', async () => {
  const { all, calls, exited, logger } = steps({ drainTimeoutMs: 30, stopAccepting: () => new Promise<void>(() => {}) });
  createShutdownController(all).onSignal('SIGTERM');
  assert.is(await exited, 1);
  assert.equal(calls, ['forceClose', 'cleanUp', 'exit 1']);
  assert.ok(logger.records.some((r) => r.level === 'warn' && r.message === 'audo-eq drain timed out; cutting the remaining connections'));
});

test('a second signal exits at once with the signal status, without waiting for the drain', async () => {
  const { all, calls, exited } = steps({ stopAccepting: () => new Promise<void>(() => {}) });
  const controller = createShutdownController(all);
  controller.onSignal('SIGTERM');
  controller.onSignal('SIGINT');
  assert.is(await exited, 130);
  assert.equal(calls, ['exit 130']);
});

test('the same signal again within a second is a duplicate delivery and is ignored; later it exits at once', async () => {
  let finishDrain!: () => void;
  const drain = new Promise<void>((resolve) => (finishDrain = resolve));
  const { all, calls, exited } = steps({ stopAccepting: () => drain });
  const controller = createShutdownController(all);
  controller.onSignal('SIGINT');
  controller.onSignal('SIGINT');
  assert.equal(calls, [], 'the echo of the first signal does not exit');
  await new Promise((resolve) => setTimeout(resolve, DUPLICATE_SIGNAL_WINDOW_MS + 50));
  controller.onSignal('SIGINT');
  assert.is(await exited, 130);
  finishDrain();
});

test('a failing clean-up is logged and turns the exit code to 1', async () => {
  const { all, exited, logger } = steps({ cleanUp: async () => { throw new Error('redis went away'); } });
  createShutdownController(all).onSignal('SIGINT');
  assert.is(await exited, 1);
  assert.ok(logger.records.some((r) => r.level === 'error' && String((r.fields.error as Error).message) === 'redis went away'));
});

test('the drain gate lets requests already inside finish, then refuses new ones with 503 not_ready and Connection: close', async () => {
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  const gate = createDrainGate(async () => {
    await slow;
    return new Response('done');
  });
  const inside = gate.handler(new Request('http://x/master', { method: 'POST' }));
  assert.is(gate.inFlight(), 1);
  let idle = false;
  const closing = gate.close().then(() => (idle = true));
  const refused = await gate.handler(new Request('http://x/health'));
  assert.is(refused.status, 503);
  assert.is(((await refused.json()) as { detail: { code: string } }).detail.code, 'not_ready');
  assert.is(refused.headers.get('connection'), 'close');
  await Promise.resolve();
  assert.not.ok(idle, 'not idle while a request is inside');
  release();
  assert.is(await (await inside).text(), 'done');
  await closing;
  assert.ok(idle);
  assert.is(gate.inFlight(), 0);
});

test('closing an idle drain gate resolves at once', async () => {
  const gate = createDrainGate(async () => new Response('x'));
  await gate.close();
  assert.is(gate.inFlight(), 0);
});

test.run();
