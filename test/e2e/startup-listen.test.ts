// Start-up over real processes: a port that is taken or an address the
// machine lacks stops every server with one line and exit code 1 (never an
// unhandled 'error' event's stack); the start-up log counts API keys without
// showing them; and no third-party text (the AWS SDK's multi-line Node-version
// warning) breaks the JSON log lines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { bunBinary, denoBinary, nodeServerCommand, repoRoot, startServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const RUNTIMES = [
  { name: 'Node', command: nodeServerCommand },
  { name: 'Deno', command: (): [string, string[]] => [denoBinary, ['run', '-A', 'runtimes/deno/server.ts']] },
  { name: 'Bun', command: (): [string, string[]] => [bunBinary, ['runtimes/bun/server.ts']] },
] as const;

interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a server that is expected to stop by itself; kills it after 60 s so a server that starts anyway fails the test instead of hanging it. */
function runUntilExit(command: string, args: string[], env: Record<string, string>): Promise<Exited> {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', API_HOST: '127.0.0.1', AUDO_EQ_STORAGE_ENABLED: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

function holdPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

/** Every line parses as a JSON object. */
function assertJsonLines(text: string, what: string): Array<Record<string, unknown>> {
  return lines(text).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.unreachable(`${what}: a line that is not JSON: ${line}`);
      throw new Error('unreachable');
    }
  });
}

for (const runtime of RUNTIMES) {
  const [command] = runtime.command();
  if (runtime.name !== 'Node' && !requireTool(runtime.name.toLowerCase(), existsSync(command), `${runtime.name} start-up`)) continue;

  test(`${runtime.name}: a port already in use stops start-up with one line on stderr and exit code 1`, async () => {
    const holder = await holdPort();
    try {
      const port = (holder.address() as { port: number }).port;
      const [cmd, args] = runtime.command();
      const { code, stdout, stderr } = await runUntilExit(cmd, args, { API_PORT: String(port) });
      assert.is(code, 1, stderr);
      assert.equal(lines(stderr), [`audo-eq cannot listen on 127.0.0.1:${port} (EADDRINUSE): the port is already in use; stop what holds it or set API_PORT to a free port`]);
      assert.not.match(stdout + stderr, /\n\s+at /, 'no stack trace');
      assertJsonLines(stdout, 'stdout');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
}

test('Node: an address this machine does not have stops start-up with one line naming API_HOST', async () => {
  const [cmd, args] = nodeServerCommand();
  // 192.0.2.1 is TEST-NET-1 (RFC 5737), never assigned to a machine; binding to it sends nothing anywhere.
  const { code, stdout, stderr } = await runUntilExit(cmd, args, { API_HOST: '192.0.2.1', API_PORT: '0' });
  assert.is(code, 1, stderr);
  assert.equal(lines(stderr).length, 1, stderr);
  assert.match(stderr, /^audo-eq cannot listen on 192\.0\.2\.1:0 \(EADDRNOTAVAIL\): the address is not one of this machine’s; set API_HOST/);
  assert.not.match(stdout + stderr, /\n\s+at /, 'no stack trace');
});

test('the start-up log says how many API keys are configured, never which', async () => {
  const [cmd, args] = nodeServerCommand();
  for (const [keys, count] of [['', 0], ['alpha-key-1234,beta-key-5678', 2]] as const) {
    const server = await startServer(cmd, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_API_KEYS: keys });
    try {
      const configured = assertJsonLines(server.output(), 'log').find((record) => record.message === 'audo-eq configured');
      assert.ok(configured, server.output());
      assert.is(configured!.api_keys_configured, count);
      assert.not.match(server.output(), /alpha-key|beta-key/);
    } finally {
      await server.stop();
    }
  }
});

test('with S3 storage on Node 20 every output line is JSON: the AWS SDK Node-version warning is one log record', async () => {
  const [cmd, args] = nodeServerCommand();
  // Nothing listens on the S3 endpoint; start-up does not need it (readiness reports it).
  const holder = await holdPort();
  const port = (holder.address() as { port: number }).port;
  await new Promise((resolve) => holder.close(resolve));
  const server = await startServer(cmd, args, { AUDO_EQ_STORAGE_BACKEND: 's3', AUDO_EQ_S3_ENDPOINT: `127.0.0.1:${port}` });
  try {
    // The warning is emitted when the S3 client is built, before the server listens; give the log a moment to settle.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const records = assertJsonLines(server.output(), 'server output');
    const major = Number(process.versions.node.split('.')[0]);
    const warnings = records.filter((record) => record.message === 'process warning' && /NodeVersionSupportWarning/.test(String(record.warning)));
    assert.is(warnings.length, major < 22 ? 1 : 0, server.output());
  } finally {
    await server.stop();
  }
});

test.run();
