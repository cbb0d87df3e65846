// Start-up configuration over a real process: a bad value or a policy the
// build cannot honour stops the server with one line naming the variable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeServerCommand, startServer } from '../support/processes.ts';

async function startupError(env: Record<string, string>): Promise<string> {
  const [command, args] = nodeServerCommand();
  const error = await startServer(command, args, env).then(
    async (server) => {
      await server.stop();
      return null;
    },
    (e: Error) => e,
  );
  assert.ok(error, `started with ${JSON.stringify(env)}`);
  // startServer's message is "server exited with N before listening:\n<output>".
  return error!.message.split('\n').slice(1).join('\n').trim();
}

test('a bad value stops start-up with exit and one line naming the variable, without echoing the value', async () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ AUDO_EQ_STORAGE_BACKEND: 'ftp' }, 'AUDO_EQ_STORAGE_BACKEND'],
    [{ AUDO_EQ_S3_URL_TTL_SECONDS: 'soon' }, 'AUDO_EQ_S3_URL_TTL_SECONDS'],
    [{ AUDO_EQ_STORAGE_ENABLED: 'perhaps' }, 'AUDO_EQ_STORAGE_ENABLED'],
  ];
  for (const [env, variable] of cases) {
    const output = await startupError(env);
    assert.is(output.split('\n').length, 1, output);
    assert.match(output, new RegExp(`^invalid configuration: ${variable}: `));
    assert.not.ok(output.includes(Object.values(env)[0]), output);
  }
});

test('deferred + guaranteed persistence on the memory queue stops start-up: the memory queue is not durable', async () => {
  const output = await startupError({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed', AUDO_EQ_QUEUE_BACKEND: 'memory' });
  assert.is(output, 'invalid configuration: AUDO_EQ_QUEUE_BACKEND: deferred + guaranteed persistence needs a durable queue (AUDO_EQ_QUEUE_BACKEND=redis); memory is not durable');
});

test('deferred persistence on the memory queue without the in-process worker stops start-up: nothing could drain it', async () => {
  const output = await startupError({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_DEFERRED_WORKER: 'false' });
  assert.match(output, /^invalid configuration: AUDO_EQ_DEFERRED_WORKER: the memory queue lives inside the API process/);
});

test('guaranteed persistence with storage disabled stops start-up', async () => {
  const output = await startupError({ AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed', AUDO_EQ_STORAGE_ENABLED: 'false' });
  assert.match(output, /^invalid configuration: AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: guaranteed persistence needs AUDO_EQ_STORAGE_ENABLED=true/);
});

test.run();
