import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { bunBinary, denoBinary, nodeServerCommand, startServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

async function assertHealthy(baseUrl: string) {
  const response = await fetch(`${baseUrl}/health`);
  assert.is(response.status, 200);
  assert.equal(await response.json(), { status: 'ok' });
}

test('the Node runtime serves GET /health over HTTP on a free 127.0.0.1 port', async () => {
  const [cmd, args] = nodeServerCommand();
  const server = await startServer(cmd, args);
  try {
    await assertHealthy(server.baseUrl);
    const missing = await fetch(`${server.baseUrl}/no-such-route`);
    assert.is(missing.status, 404);
    assert.is((await missing.json()).detail.code, 'not_found');
  } finally {
    assert.is(await server.stop(), 0);
  }
});

test('the Node runtime refuses a bad API_PORT with one line naming the variable', async () => {
  const [cmd, args] = nodeServerCommand();
  const error = await startServer(cmd, args, { API_PORT: 'eighty' }).then(
    () => null,
    (e: Error) => e,
  );
  assert.ok(error);
  assert.match(error!.message, /API_PORT/);
});

if (requireTool('deno', existsSync(denoBinary), 'Deno runtime health')) {
  test('the Deno runtime serves GET /health through Deno.serve', async () => {
    const server = await startServer(denoBinary, ['run', '-A', 'runtimes/deno/server.ts']);
    try {
      await assertHealthy(server.baseUrl);
    } finally {
      await server.stop();
    }
  });
}

if (requireTool('bun', existsSync(bunBinary), 'Bun runtime health')) {
  test('the Bun runtime serves GET /health through Bun.serve', async () => {
    const server = await startServer(bunBinary, ['runtimes/bun/server.ts']);
    try {
      await assertHealthy(server.baseUrl);
    } finally {
      await server.stop();
    }
  });
}

test.run();
