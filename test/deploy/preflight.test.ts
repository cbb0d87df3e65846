// `npm run preflight` run as a real process in a temporary directory, against
// real listeners on 127.0.0.1, plus the .env reader/writer it relies on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendEnvValue, envValues, setEnvValue } from '../../runtimes/node/preflight/env-file.ts';
import { repoRoot } from '../support/processes.ts';

const exampleText = readFileSync(join(repoRoot, '.env.example'), 'utf8');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function preflight(args: string[], viaNpm = false): Run {
  const [command, argv] = viaNpm
    ? ['npm', ['run', '--silent', 'preflight', '--', ...args]]
    : [process.execPath, ['--import', 'tsx', 'runtimes/node/preflight.ts', ...args]];
  const result = spawnSync(command, argv, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

async function freePort(): Promise<number> {
  const server = await listen(0, '0.0.0.0');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function canListen(port: number): Promise<boolean> {
  try {
    const server = await listen(port, '0.0.0.0');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return true;
  } catch {
    return false;
  }
}

/** The repo's .env.example with its ports replaced (ports given by the OS, so the test owns them). */
function exampleWithPorts(ports: Record<string, number>): string {
  let text = exampleText;
  for (const [key, port] of Object.entries(ports)) text = text.replace(new RegExp(`^${key}=\\d+$`, 'm'), `${key}=${port}`);
  return text;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'audo-eq-preflight-'));
}

test('.env values are read as Node reads them, and a write changes only the value it is asked to', () => {
  const text = '# top\r\nexport API_PORT=8000   # the api\r\n\r\nNAME="a \'quoted\' #not-comment"\r\nSINGLE=\'lit $x\'\r\nEMPTY=\r\nLAST=1';
  assert.equal(Object.fromEntries(envValues(text)), { API_PORT: '8000', NAME: "a 'quoted' #not-comment", SINGLE: 'lit $x', EMPTY: '', LAST: '1' });
  assert.is(setEnvValue(text, 'API_PORT', '8001'), text.replace('API_PORT=8000', 'API_PORT=8001'));
  assert.is(setEnvValue(text, 'EMPTY', '9'), text.replace('EMPTY=', 'EMPTY=9'));
  assert.is(setEnvValue(text, 'NAME', 'plain'), text.replace(`"a 'quoted' #not-comment"`, '"plain"'));
  assert.is(setEnvValue('P="1" # x\n', 'P', '2'), 'P="2" # x\n');
  assert.is(setEnvValue('A=1\nA=2\n', 'A', '3'), 'A=1\nA=3\n', 'the last assignment is the one that counts');
  assert.is(setEnvValue('API_PORT_X=1\nAPI_PORT=2\n', 'API_PORT', '3'), 'API_PORT_X=1\nAPI_PORT=3\n');
  assert.is(appendEnvValue(text, 'NEW_PORT', '5'), `${text}\r\nNEW_PORT=5\r\n`);
  assert.is(appendEnvValue('A=1\n', 'B', '2', 'why'), 'A=1\n# why\nB=2\n');
  assert.throws(() => setEnvValue(text, 'MISSING', '1'), /MISSING/);
});

test('with a listener on the configured API port, preflight moves API_PORT to the next free port and leaves the rest of .env untouched', async () => {
  const dir = tempDir();
  const [apiPort, minioPort, consolePort] = [await freePort(), await freePort(), await freePort()];
  const original = exampleWithPorts({ MINIO_API_PORT: minioPort, MINIO_CONSOLE_PORT: consolePort })
    .replace(/^API_PORT=\d+$/m, `API_PORT=${apiPort}   # where curl goes`)
    .replace(/^AUDO_EQ_S3_BUCKET=.*$/m, 'AUDO_EQ_S3_BUCKET="my mastered files"');
  writeFileSync(join(dir, '.env'), original);
  writeFileSync(join(dir, '.env.example'), exampleText);
  const occupant = await listen(apiPort, '127.0.0.1');
  let run: Run;
  try {
    run = preflight(['--mode', 'dev', '--cwd', dir], true);
  } finally {
    occupant.close();
  }
  assert.is(run.status, 0, run.stderr);
  const after = readFileSync(join(dir, '.env'), 'utf8');
  const moved = Number(envValues(after).get('API_PORT'));
  assert.ok(moved > apiPort, `moved up from ${apiPort} to ${moved}`);
  assert.ok(await canListen(moved), `${moved} is free`);
  if (moved > apiPort + 1) assert.not.ok(await canListen(apiPort + 1), 'every port skipped was taken');
  assert.is(after, original.replace(`API_PORT=${apiPort}   #`, `API_PORT=${moved}   #`));
  assert.match(run.stdout, new RegExp(`API_PORT ${apiPort} is taken; set to ${moved}`));
  assert.match(run.stdout, /next: docker compose -f compose.yaml -f compose.override.yaml up --build/);
});

test('preflight creates .env from .env.example when it is missing and writes nothing when no port is taken', async () => {
  const dir = tempDir();
  const example = exampleWithPorts({ API_PORT: await freePort(), MINIO_API_PORT: await freePort(), MINIO_CONSOLE_PORT: await freePort() });
  writeFileSync(join(dir, '.env.example'), example);
  const first = preflight(['--cwd', dir]);
  assert.is(first.status, 0, first.stderr);
  assert.match(first.stdout, /created .*\.env from .*\.env\.example/);
  assert.is(readFileSync(join(dir, '.env'), 'utf8'), example);
  assert.is(statSync(join(dir, '.env')).mode & 0o077, 0, 'the new .env is private to its owner');
  const before = statSync(join(dir, '.env')).mtimeMs;
  const second = preflight(['--cwd', dir]);
  assert.is(second.status, 0);
  assert.not.match(second.stdout, /created/);
  assert.is(statSync(join(dir, '.env')).mtimeMs, before, 'an unchanged .env is not rewritten');
});

test('two keys on the same port: the later one moves even though the host has it free', async () => {
  const dir = tempDir();
  const shared = await freePort();
  const example = exampleWithPorts({ API_PORT: shared, MINIO_API_PORT: shared, MINIO_CONSOLE_PORT: await freePort() });
  writeFileSync(join(dir, '.env'), example);
  const run = preflight(['--cwd', dir]);
  assert.is(run.status, 0, run.stderr);
  const values = envValues(readFileSync(join(dir, '.env'), 'utf8'));
  assert.is(values.get('API_PORT'), String(shared));
  assert.ok(Number(values.get('MINIO_API_PORT')) > shared);
  assert.is.not(values.get('MINIO_API_PORT'), values.get('MINIO_CONSOLE_PORT'));
});

test('a port key missing from .env is checked at the example default and appended only when that port is taken', async () => {
  const dir = tempDir();
  const [apiPort, minioPort, consolePort] = [await freePort(), await freePort(), await freePort()];
  const example = exampleWithPorts({ API_PORT: apiPort, MINIO_API_PORT: minioPort, MINIO_CONSOLE_PORT: consolePort });
  writeFileSync(join(dir, '.env.example'), example);
  const env = example.replace(/^MINIO_CONSOLE_PORT=.*\n/m, '');
  writeFileSync(join(dir, '.env'), env);
  const occupant = await listen(consolePort, '0.0.0.0');
  let run: Run;
  try {
    run = preflight(['--cwd', dir]);
  } finally {
    occupant.close();
  }
  assert.is(run.status, 0, run.stderr);
  const after = readFileSync(join(dir, '.env'), 'utf8');
  assert.ok(after.startsWith(env), 'existing lines are unchanged');
  const appended = Number(envValues(after).get('MINIO_CONSOLE_PORT'));
  assert.ok(appended > consolePort && appended !== apiPort && appended !== minioPort);
  assert.match(after.slice(env.length), new RegExp(`^# added by preflight: ${consolePort} .*\\nMINIO_CONSOLE_PORT=${appended}\\n$`));
});

test('example secrets are warned about, louder and with the open API in --mode prod, and quiet once changed', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, '.env.example'), exampleText);
  writeFileSync(join(dir, '.env'), exampleWithPorts({ API_PORT: await freePort(), MINIO_API_PORT: await freePort(), MINIO_CONSOLE_PORT: await freePort() }));
  const dev = preflight(['--cwd', dir, '--mode', 'dev']);
  assert.is(dev.status, 0);
  assert.match(dev.stderr, /warning: AUDO_EQ_S3_ACCESS_KEY still has the value from \.env\.example/);
  assert.match(dev.stderr, /warning: AUDO_EQ_S3_SECRET_KEY still has the value from \.env\.example/);
  assert.not.match(dev.stderr, /AUDO_EQ_API_KEYS/);
  const prod = preflight(['--cwd', dir, '--mode', 'prod']);
  assert.is(prod.status, 0);
  assert.match(prod.stderr, /SECURITY/);
  assert.match(prod.stderr, /AUDO_EQ_S3_SECRET_KEY still has the value/);
  assert.match(prod.stderr, /AUDO_EQ_API_KEYS is empty/);
  assert.match(prod.stdout, /next: docker compose -f compose.yaml -f compose.prod.yaml up -d --build/);
  assert.not.match(prod.stdout + prod.stderr, /minioadmin/, 'secret values are never printed');

  let env = readFileSync(join(dir, '.env'), 'utf8');
  env = setEnvValue(env, 'AUDO_EQ_S3_ACCESS_KEY', 'operator');
  env = setEnvValue(env, 'AUDO_EQ_S3_SECRET_KEY', 'short');
  env = setEnvValue(env, 'AUDO_EQ_API_KEYS', 'k1,k2');
  writeFileSync(join(dir, '.env'), env);
  const changed = preflight(['--cwd', dir, '--mode', 'prod']);
  assert.not.match(changed.stderr, /still has the value/);
  assert.match(changed.stderr, /AUDO_EQ_S3_SECRET_KEY is shorter than 8 characters: MinIO will not start/);
  assert.not.match(changed.stderr, /AUDO_EQ_API_KEYS/);
});

test('a Redis queue adds --profile redis to the suggested command, and guaranteed deferred persistence without it is flagged', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, '.env.example'), exampleText);
  let env = exampleWithPorts({ API_PORT: await freePort(), MINIO_API_PORT: await freePort(), MINIO_CONSOLE_PORT: await freePort() });
  env = setEnvValue(env, 'AUDO_EQ_ARTIFACT_PERSISTENCE_MODE', 'deferred');
  env = setEnvValue(env, 'AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE', 'guaranteed');
  writeFileSync(join(dir, '.env'), env);
  const memory = preflight(['--cwd', dir, '--mode', 'prod']);
  assert.match(memory.stderr, /warning: deferred \+ guaranteed persistence needs AUDO_EQ_QUEUE_BACKEND=redis \(now memory\)/);
  assert.match(memory.stdout, /next: docker compose -f compose.yaml -f compose.prod.yaml up -d --build/);
  writeFileSync(join(dir, '.env'), setEnvValue(env, 'AUDO_EQ_QUEUE_BACKEND', 'redis'));
  const redis = preflight(['--cwd', dir, '--mode', 'prod']);
  assert.not.match(redis.stderr, /needs AUDO_EQ_QUEUE_BACKEND/);
  assert.match(redis.stdout, /next: docker compose -f compose.yaml -f compose.prod.yaml --profile redis up -d --build/);
});

test('usage errors exit with code 2 and say what is wrong; --help exits 0', () => {
  for (const [args, message] of [
    [['--mode', 'staging'], /--mode must be dev or prod/],
    [['--bogus'], /unknown option '--bogus'/],
    [['extra'], /unexpected argument 'extra'/],
    [['--mode'], /option --mode needs a value/],
    [['--mode', 'dev', '--mode', 'prod'], /option --mode was given more than once/],
  ] as const) {
    const run = preflight([...args]);
    assert.is(run.status, 2, `${args.join(' ')} -> ${run.status}`);
    assert.match(run.stderr.split('\n')[0], message);
    assert.match(run.stderr, /usage: npm run preflight/);
  }
  const help = preflight(['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /--mode dev\|prod/);
});

test('with neither .env nor .env.example preflight exits 1 naming both files', () => {
  const dir = tempDir();
  const run = preflight(['--cwd', dir]);
  assert.is(run.status, 1);
  assert.match(run.stderr, /neither .*\.env nor .*\.env\.example exists/);
});

test.run();
