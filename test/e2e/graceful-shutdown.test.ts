// Graceful shutdown of the Node server: SIGTERM while a mastering request is
// in flight stops new connections but answers that request in full, then the
// process exits 0; a second signal exits at once; past the drain timeout the
// remaining connections are cut and the exit code says so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFixture } from '../support/fixtures.ts';
import { holdUpload } from '../support/held-upload.ts';
import { jsonLogRecords, readWavInfo, waitForOutput } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';

const target = () => readFixture('indie_pop/target.wav');
const reference = () => readFixture('indie_pop/reference.wav');

async function start(env: Record<string, string> = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-shutdown-'));
  const [command, args] = nodeServerCommand();
  const server = await startServer(command, args, { AUDO_EQ_WORKERS: '1', AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir, ...env });
  return Object.assign(server, { dataDir });
}

/** Resolves once `/metrics` shows `count` masterings admitted (the held upload is in flight). */
async function waitForInFlight(baseUrl: string, count: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    if (new RegExp(`^audo_eq_mastering_in_flight ${count}$`, 'm').test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never saw ${count} mastering(s) in flight`);
}

/** The exit code, without sending another signal (a second one would exit at once). */
async function exitCode(server: RunningServer, timeoutMs = 30_000): Promise<number | null> {
  if (server.process.exitCode !== null) return server.process.exitCode;
  const timer = setTimeout(() => server.process.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(server.process, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

const messages = (server: RunningServer) => jsonLogRecords(server.output()).map((r) => String(r.message));

test('SIGTERM during an in-flight mastering: new connections are refused, the client still gets its full response, the process exits 0', async () => {
  const server = await start();
  try {
    const held = holdUpload(server.baseUrl, target(), reference(), { 'X-Correlation-Id': 'drain-1' });
    await waitForInFlight(server.baseUrl, 1);
    server.process.kill('SIGTERM');
    await waitForOutput(server.output, (out) => out.includes('"message":"audo-eq shutting down"'));

    const refused = await fetch(`${server.baseUrl}/health`).then(() => null, (error: Error) => error);
    assert.ok(refused, 'a new request after SIGTERM is not served');

    held.release();
    const response = await held.response;
    assert.is(response.status, 200, response.body.subarray(0, 200).toString());
    assert.is(Number(response.headers['content-length']), response.body.byteLength);
    assert.is(readWavInfo(new Uint8Array(response.body)).channels, 2);
    assert.is(response.headers['x-correlation-id'], 'drain-1');
    assert.is(response.headers['x-artifact-persistence-status'], 'stored');
    assert.is(response.headers.connection, 'close');

    assert.is(await exitCode(server), 0);
    const order = messages(server);
    const shuttingDown = order.indexOf('audo-eq shutting down');
    const answered = jsonLogRecords(server.output()).findIndex((r) => r.message === 'http_request' && r.correlation_id === 'drain-1');
    const stopped = order.indexOf('audo-eq stopped');
    assert.ok(shuttingDown >= 0 && shuttingDown < answered && answered < stopped, `log order: ${order.join(' | ')}`);
  } finally {
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

test('a second signal during the drain exits at once, without waiting for the in-flight request', async () => {
  const server = await start({ AUDO_EQ_SHUTDOWN_TIMEOUT_MS: '120000' });
  try {
    const held = holdUpload(server.baseUrl, target(), reference());
    const outcome = held.response.then(() => 'answered', () => 'cut');
    await waitForInFlight(server.baseUrl, 1);
    server.process.kill('SIGTERM');
    await waitForOutput(server.output, (out) => out.includes('"message":"audo-eq shutting down"'));
    server.process.kill('SIGINT');
    assert.is(await exitCode(server, 10_000), 130);
    assert.ok(messages(server).includes('audo-eq second signal; exiting now'));
    assert.is(await outcome, 'cut');
  } finally {
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

test('past AUDO_EQ_SHUTDOWN_TIMEOUT_MS the stalled request is cut and the process exits 1, saying why', async () => {
  const server = await start({ AUDO_EQ_SHUTDOWN_TIMEOUT_MS: '500' });
  try {
    const held = holdUpload(server.baseUrl, target(), reference());
    const outcome = held.response.then(() => 'answered', () => 'cut');
    await waitForInFlight(server.baseUrl, 1);
    server.process.kill('SIGTERM');
    assert.is(await exitCode(server, 15_000), 1);
    const order = messages(server);
    assert.ok(order.includes('audo-eq drain timed out; cutting the remaining connections'), order.join(' | '));
    assert.is(order[order.length - 1], 'audo-eq stopped');
    assert.is(await outcome, 'cut');
  } finally {
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

test('SIGINT on an idle server exits 0 promptly after logging the shutdown', async () => {
  const server = await start();
  try {
    assert.is((await fetch(`${server.baseUrl}/health`)).status, 200);
    server.process.kill('SIGINT');
    assert.is(await exitCode(server, 15_000), 0);
    const order = messages(server);
    assert.ok(order.indexOf('audo-eq shutting down') < order.indexOf('audo-eq stopped'));
  } finally {
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

test.run();
