// Starts the API exactly the way the image would (the Dockerfile's command and
// ENV, the production compose environment) as a real process, with S3 pointed
// at a local s3rver standing in for MinIO, and runs the runbook's smoke flow.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PROD_FILES, loadStack } from '../support/deploy.ts';
import { ensureFixtures, fixturePath } from '../support/fixtures.ts';
import { imageLaunch, type ImageLaunch } from '../support/image-launch.ts';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, closedPort, startS3rver, type TestS3Server } from '../support/s3.ts';

const STARTUP_LIMIT_MS = 60_000;

/**
 * Runs a healthcheck command. Asynchronously: a spawnSync here blocked the
 * test's event loop for seconds, so fetch's idle keep-alive socket outlived
 * the server's 5 s keep-alive and the next POST was written into a closed
 * socket (EPIPE).
 */
function runProbe(argv: string[], launch: ImageLaunch, env = launch.env): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { cwd: launch.cwd, env, encoding: 'utf8', timeout: 20_000 }, (error, _stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
    });
  });
}

const context: {
  s3?: TestS3Server;
  bucket?: string;
  launch?: ImageLaunch;
  child?: ChildProcess;
  exit?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: string;
  baseUrl?: string;
} = { output: '' };

let starting: Promise<void> | undefined;

/** Starts s3rver and the server once; every test awaits it, so a failed start is reported by each test. */
function started(): Promise<void> {
  starting ??= startStack();
  return starting;
}

async function startStack(): Promise<void> {
  // No bucket up front: the API creates it when missing, as it must against a fresh MinIO.
  context.s3 = await startS3rver();
  const s3Port = context.s3.port;
  const apiPort = await closedPort(); // free until the server takes it
  // Exported like shell variables in front of `docker compose`: they override
  // .env. 127.0.0.1 instead of the container's 0.0.0.0; s3rver instead of
  // minio:9000 (s3rver knows only the key pair S3RVER/S3RVER).
  const project = loadStack(PROD_FILES, {
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    AUDO_EQ_S3_ENDPOINT: `127.0.0.1:${s3Port}`,
    MINIO_API_PORT: String(s3Port),
    AUDO_EQ_S3_ACCESS_KEY: S3RVER_ACCESS_KEY,
    AUDO_EQ_S3_SECRET_KEY: S3RVER_SECRET_KEY,
  });
  const launch = imageLaunch(project.services['audo-eq-api']);
  context.launch = launch;
  context.bucket = launch.env.AUDO_EQ_S3_BUCKET;
  context.baseUrl = `http://127.0.0.1:${apiPort}`;
  const child = spawn(launch.argv[0], launch.argv.slice(1), { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', 'pipe'] });
  context.child = child;
  child.stdout!.on('data', (chunk: Buffer) => (context.output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (context.output += chunk.toString()));
  context.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exited = false;
  void context.exit.then(() => (exited = true));
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  for (;;) {
    if (exited) throw new Error(`the server exited during start-up:\n${context.output}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /health in ${STARTUP_LIMIT_MS} ms:\n${context.output}`);
    const ok = await fetch(`${context.baseUrl}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test.after(async () => {
  if (context.child && context.child.exitCode === null && context.child.signalCode === null) {
    context.child.kill('SIGKILL');
    await context.exit;
  }
  await context.s3?.stop();
});

test('the image command with the production compose environment answers GET /health with {"status":"ok"}', async () => {
  await started();
  const launch = context.launch!;
  assert.is(launch.workdir, '/app', 'the repository root stands for WORKDIR /app');
  assert.equal(launch.argv.slice(1), ['dist/runtimes/node/server.js']);
  assert.is(launch.env.NODE_ENV, 'production');
  assert.is(launch.env.AUDO_EQ_STORAGE_BACKEND, 's3');
  const response = await fetch(`${context.baseUrl}/health`);
  assert.is(response.status, 200);
  assert.equal(await response.json(), { status: 'ok' });
});

test("the Dockerfile HEALTHCHECK and the compose healthcheck pass against the running server and fail when it is gone", async () => {
  await started();
  const launch = context.launch!;
  for (const probe of [launch.imageHealthcheck, launch.serviceHealthcheck!]) {
    const healthy = await runProbe(probe, launch);
    assert.is(healthy.status, 0, `${probe.join(' ')}: ${healthy.stderr}`);
    const nothingThere = String(await closedPort());
    const unhealthy = await runProbe(probe, launch, { ...launch.env, API_PORT: nothingThere });
    assert.is(unhealthy.status, 1, `${probe.join(' ')} with nothing on ${nothingThere}`);
  }
});

test('the runbook smoke flow: POST /master with target.wav and reference.wav returns mastered WAV, its headers and a stored object', async () => {
  await started();
  const pair = ensureFixtures().pairs[0];
  const form = new FormData();
  for (const [field, file] of [['target', pair.target.path], ['reference', pair.reference.path]] as const) {
    form.append(field, new Blob([readFileSync(fixturePath(file))], { type: 'audio/wav' }), basename(file));
  }
  const response = await fetch(`${context.baseUrl}/master`, { method: 'POST', body: form });
  const body = new Uint8Array(await response.arrayBuffer());
  assert.is(response.status, 200, new TextDecoder().decode(body.slice(0, 500)));
  assert.match(response.headers.get('content-type') ?? '', /^audio\/(wav|x-wav)/);
  assert.ok(body.length > 44, 'the output file is non-empty');
  assert.is(new TextDecoder().decode(body.slice(0, 4)), 'RIFF');
  assert.is(new TextDecoder().decode(body.slice(8, 12)), 'WAVE');
  assert.ok(response.headers.get('x-correlation-id'), 'X-Correlation-Id is present');
  assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
  const objectUrl = response.headers.get('x-mastered-object-url');
  assert.ok(objectUrl, 'X-Mastered-Object-Url is present for immediate mode with storage enabled');
  // Signed for the host-side MinIO address (AUDO_EQ_S3_PUBLIC_ENDPOINT defaults to 127.0.0.1:$MINIO_API_PORT).
  const url = new URL(objectUrl!);
  assert.is(url.host, `127.0.0.1:${context.s3!.port}`);
  const key = /^\/[^/]+\/(mastered\/[0-9a-f-]{36}\.wav)$/.exec(url.pathname)?.[1];
  assert.ok(url.pathname.startsWith(`/${context.bucket}/`) && key, `path-style URL to mastered/<uuid>.wav: ${url.pathname}`);
  const stored = await fetch(objectUrl!);
  assert.is(stored.status, 200);
  assert.equal(new Uint8Array(await stored.arrayBuffer()), body, 'the presigned URL serves the returned file');
  const object = await context.s3!.getObject(context.bucket!, key!);
  assert.is(object.contentType, 'audio/wav');
  assert.is(object.metadata['correlation-id'], response.headers.get('x-correlation-id'));
});

test('the STOPSIGNAL ends the server with exit code 0 within the compose stop grace period', async () => {
  await started();
  const launch = context.launch!;
  context.child!.kill(launch.stopSignal);
  const outcome = await Promise.race([
    context.exit!,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), launch.stopGraceMs)),
  ]);
  assert.not.equal(outcome, 'timeout', `still running ${launch.stopGraceMs} ms after ${launch.stopSignal} (docker would SIGKILL)`);
  assert.equal(outcome, { code: 0, signal: null });
});

test.run();
