// The stack's compose files, loaded and merged the way `docker compose config`
// does for each cascade the runbook uses, with `.env.example` as the `.env`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComposeProject } from '../support/compose/load.ts';
import { DEV_FILES, PROD_FILES, loadStack, localImportGraph } from '../support/deploy.ts';
import { repoRoot } from '../support/processes.ts';

const API = 'audo-eq-api';

function published(project: ComposeProject, service: string) {
  return (project.services[service].ports ?? []).map((p) => `${p.published}->${p.target}`);
}

test('both runbook cascades load with every variable they use set by .env.example', () => {
  const dev = loadStack(DEV_FILES);
  // COMPOSE_FILE=compose.yaml:compose.prod.yaml, split the way compose splits it.
  const prod = loadStack('compose.yaml:compose.prod.yaml'.split(':'));
  for (const project of [dev, prod]) {
    assert.equal(Object.keys(project.services).sort(), [API, 'minio']);
    assert.equal([...project.unsetVariables], []);
  }
  assert.equal(prod, loadStack(PROD_FILES));
});

test('without any .env every variable still has a default, and the defaults are SPEC section 8', () => {
  const project = loadStack(PROD_FILES, {}, [], {});
  assert.equal([...project.unsetVariables], []);
  // .env.example restates the defaults: a fresh .env (or none) gives the same stack.
  for (const files of [DEV_FILES, PROD_FILES]) {
    assert.equal(loadStack(files, {}, ['redis'], {}).services, loadStack(files, {}, ['redis']).services);
  }
  const env = project.services[API].environment!;
  assert.equal(
    {
      API_HOST: env.API_HOST,
      API_PORT: env.API_PORT,
      AUDO_EQ_STORAGE_ENABLED: env.AUDO_EQ_STORAGE_ENABLED,
      AUDO_EQ_STORAGE_BACKEND: env.AUDO_EQ_STORAGE_BACKEND,
      AUDO_EQ_S3_ENDPOINT: env.AUDO_EQ_S3_ENDPOINT,
      AUDO_EQ_S3_ACCESS_KEY: env.AUDO_EQ_S3_ACCESS_KEY,
      AUDO_EQ_S3_SECRET_KEY: env.AUDO_EQ_S3_SECRET_KEY,
      AUDO_EQ_S3_BUCKET: env.AUDO_EQ_S3_BUCKET,
      AUDO_EQ_S3_SECURE: env.AUDO_EQ_S3_SECURE,
      AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: env.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE,
      AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: env.AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE,
      AUDO_EQ_QUEUE_BACKEND: env.AUDO_EQ_QUEUE_BACKEND,
      AUDO_EQ_LOG_FORMAT: env.AUDO_EQ_LOG_FORMAT,
    },
    {
      API_HOST: '0.0.0.0',
      API_PORT: '8000',
      AUDO_EQ_STORAGE_ENABLED: 'true',
      AUDO_EQ_STORAGE_BACKEND: 's3',
      AUDO_EQ_S3_ENDPOINT: 'minio:9000',
      AUDO_EQ_S3_ACCESS_KEY: 'minioadmin',
      AUDO_EQ_S3_SECRET_KEY: 'minioadmin',
      AUDO_EQ_S3_BUCKET: 'audo-eq-mastered',
      AUDO_EQ_S3_SECURE: 'false',
      AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'immediate',
      AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'best-effort',
      AUDO_EQ_QUEUE_BACKEND: 'memory',
      AUDO_EQ_LOG_FORMAT: 'json',
    },
  );
  assert.equal(published(project, API), ['8000->8000']);
  assert.equal(published(project, 'minio'), ['9000->9000', '9001->9001']);
});

test('published ports follow API_PORT, MINIO_API_PORT and MINIO_CONSOLE_PORT', () => {
  const project = loadStack(DEV_FILES, { API_PORT: '18000', MINIO_API_PORT: '19000', MINIO_CONSOLE_PORT: '19001' });
  // The API listens on API_PORT inside the container too, so its healthcheck and logs agree with the host.
  assert.equal(published(project, API), ['18000->18000']);
  assert.is(project.services[API].environment!.API_PORT, '18000');
  assert.equal(published(project, 'minio'), ['19000->9000', '19001->9001']);
  // Presigned URLs are signed for the host-side MinIO address unless told otherwise.
  assert.is(project.services[API].environment!.AUDO_EQ_S3_PUBLIC_ENDPOINT, '127.0.0.1:19000');
  const explicit = loadStack(DEV_FILES, { AUDO_EQ_S3_PUBLIC_ENDPOINT: 'media.example.test' });
  assert.is(explicit.services[API].environment!.AUDO_EQ_S3_PUBLIC_ENDPOINT, 'media.example.test');
});

test('MinIO runs the server with its console on :9001 and the S3 keys as root credentials', () => {
  const project = loadStack(PROD_FILES, { AUDO_EQ_S3_ACCESS_KEY: 'operator', AUDO_EQ_S3_SECRET_KEY: 'long-secret-value' });
  const minio = project.services.minio;
  assert.match(minio.image!, /^minio\/minio(:|$)/);
  assert.equal(minio.command, ['server', '/data', '--console-address', ':9001']);
  assert.equal(minio.environment, { MINIO_ROOT_USER: 'operator', MINIO_ROOT_PASSWORD: 'long-secret-value' });
  const api = project.services[API].environment!;
  assert.is(api.AUDO_EQ_S3_ACCESS_KEY, 'operator');
  assert.is(api.AUDO_EQ_S3_SECRET_KEY, 'long-secret-value');
  // The API reaches MinIO by service name on the port MinIO listens on inside the network.
  const [host, port] = api.AUDO_EQ_S3_ENDPOINT!.split(':');
  assert.ok(host in project.services, `${host} is a service`);
  assert.ok(minio.ports!.some((p) => p.target === Number(port)), `minio listens on ${port}`);
});

test('the API waits for a healthy MinIO, and both have healthchecks', () => {
  for (const files of [DEV_FILES, PROD_FILES]) {
    const project = loadStack(files);
    const api = project.services[API];
    assert.equal(api.depends_on, { minio: { condition: 'service_healthy', required: true } });
    assert.equal(api.healthcheck!.test, ['CMD', 'node', 'runtimes/node/healthcheck.mjs']);
    assert.ok(existsSync(join(repoRoot, 'runtimes/node/healthcheck.mjs')));
    assert.ok(api.healthcheck!.interval && api.healthcheck!.timeout && api.healthcheck!.retries);
    assert.equal(project.services.minio.healthcheck!.test, ['CMD', 'mc', 'ready', 'local']);
    assert.ok(api.init, 'an init process forwards SIGTERM to node and reaps children');
    assert.ok(api.build && api.build.context === '.', 'the API is built from this repository');
  }
});

test('MinIO data and API data live in declared named volumes', () => {
  const project = loadStack(PROD_FILES);
  assert.ok(project.services.minio.volumes!.some((v) => v.type === 'volume' && v.source === 'minio-data' && v.target === '/data'));
  const dataDir = project.services[API].environment!.AUDO_EQ_DATA_DIR;
  assert.ok(project.services[API].volumes!.some((v) => v.type === 'volume' && v.target === dataDir), `a volume is mounted at ${dataDir}`);
  for (const name of ['minio-data', 'api-data', 'redis-data']) assert.ok(name in project.volumes, `${name} is declared`);
});

test('redis runs only under the redis profile, and then the API waits for it', () => {
  for (const files of [DEV_FILES, PROD_FILES]) {
    const without = loadStack(files);
    assert.not.ok('redis' in without.services);
    assert.not.ok('redis' in without.services[API].depends_on!);
    const withRedis = loadStack(files, { AUDO_EQ_QUEUE_BACKEND: 'redis' }, ['redis']);
    const redis = withRedis.services.redis;
    assert.ok(redis, 'redis is enabled by --profile redis');
    assert.equal(redis.profiles, ['redis']);
    assert.ok(redis.healthcheck, 'redis has a healthcheck');
    assert.ok(redis.volumes!.some((v) => v.source === 'redis-data'), 'redis persists to a volume');
    assert.match(String(redis.command), /appendonly/);
    assert.is(withRedis.services[API].depends_on!.redis.condition, 'service_healthy');
    const url = new URL(withRedis.services[API].environment!.AUDO_EQ_REDIS_URL!);
    assert.is(url.hostname, 'redis');
    assert.is(withRedis.services[API].environment!.AUDO_EQ_QUEUE_BACKEND, 'redis');
  }
});

test('the worker service runs npm run worker on the shared queue with the API’s environment, scalable (no published port, no fixed name)', () => {
  for (const files of [DEV_FILES, PROD_FILES]) {
    assert.not.ok('worker' in loadStack(files).services, 'the worker needs Redis, so it comes with --profile redis');
    const project = loadStack(files, { AUDO_EQ_JOBS_BACKEND: 'redis', AUDO_EQ_JOBS_WORKER: 'false' }, ['redis']);
    const worker = project.services.worker;
    const api = project.services[API];
    assert.ok(worker, 'worker is enabled by --profile redis');
    // The built worker (the image's dist/), like `npm run worker`.
    assert.equal(worker.command, ['node', 'dist/runtimes/node/worker.js']);
    assert.ok(existsSync(join(repoRoot, 'runtimes/node/worker.ts')));
    assert.match(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.worker, /^(?:[A-Z_]+=\S+ )*node dist\/runtimes\/node\/worker\.js$/);
    assert.is(worker.image, api.image, 'the same image as the API');
    // `docker compose up --scale worker=N` refuses services with a fixed container name or a published host port.
    assert.is(worker.container_name, undefined);
    assert.equal(worker.ports ?? [], []);
    assert.is(worker.environment!.AUDO_EQ_JOBS_BACKEND, 'redis');
    for (const [name, value] of Object.entries(api.environment!)) {
      if (name === 'AUDO_EQ_JOBS_BACKEND' || name === 'NODE_ENV' || name === 'AUDO_EQ_LOG_LEVEL' || name === 'AUDO_EQ_LOG_FORMAT') continue;
      assert.is(worker.environment![name], value, `worker gets ${name} like the API`);
    }
    assert.is(api.environment!.AUDO_EQ_JOBS_WORKER, 'false');
    assert.is(worker.depends_on!.redis.condition, 'service_healthy');
    assert.is(worker.depends_on!.minio.condition, 'service_healthy');
    assert.ok(parseInt(worker.stop_grace_period!, 10) >= 30, 'running jobs get time to finish on stop');
  }
});

test('the development override mounts the source read-only and restarts the server on changes', () => {
  const project = loadStack(DEV_FILES);
  const api = project.services[API];
  assert.equal(api.command, ['node_modules/.bin/tsx', 'watch', '--clear-screen=false', 'runtimes/node/server.ts']);
  const binds = api.volumes!.filter((v) => v.type === 'bind');
  assert.ok(binds.length > 0);
  for (const bind of binds) {
    assert.ok(bind.read_only, `${bind.source} is read-only`);
    assert.is(bind.target, `/app/${bind.source!.replace(/^\.\//, '')}`, 'mounted where the image keeps it');
  }
  // Every file the server loads comes from a mounted path, so an edit reaches the container.
  const mounted = binds.map((b) => b.source!.replace(/^\.\//, ''));
  for (const file of localImportGraph('runtimes/node/server.ts')) {
    assert.ok(mounted.some((m) => file === m || file.startsWith(`${m}/`)), `${file} is mounted`);
  }
  assert.not.ok(mounted.some((m) => m === '.' || m === 'node_modules'), "the image's node_modules is not shadowed");
  const watched = (api.develop?.watch ?? []).filter((w) => w.action === 'rebuild').map((w) => w.path);
  assert.equal(watched.sort(), ['package-lock.json', 'package.json']);
  assert.is(api.environment!.NODE_ENV, 'development');
});

test('the production override adds restart, rotated logs and CPU/memory limits to every service', () => {
  const project = loadStack(PROD_FILES, {}, ['redis']);
  for (const [name, service] of Object.entries(project.services)) {
    assert.match(service.restart ?? '', /^(always|unless-stopped)$/, `${name} restarts`);
    assert.is(service.logging?.driver, 'json-file', `${name} logs to rotated files`);
    assert.match(service.logging?.options?.['max-size'] ?? '', /^\d+[kmg]$/);
    assert.match(service.logging?.options?.['max-file'] ?? '', /^\d+$/);
    const limits = service.deploy?.resources?.limits;
    assert.ok(Number(limits?.cpus) > 0, `${name} has a CPU limit`);
    assert.match(limits?.memory ?? '', /^\d+[kmg]$/, `${name} has a memory limit`);
  }
  const api = project.services[API];
  const workers = Number(api.environment!.AUDO_EQ_WORKERS);
  assert.ok(workers >= 1 && workers <= Number(api.deploy!.resources!.limits!.cpus), 'worker count fits the CPU limit');
  assert.is(api.environment!.NODE_ENV, 'production');
  assert.ok(parseInt(api.stop_grace_period!, 10) >= 30, 'long masters get time to finish on stop');
  // The production pair keeps the image's own start command (no watch mode).
  assert.is(api.command, undefined);
  assert.not.ok(api.volumes!.some((v) => v.type === 'bind'), 'no source mounts in production');
});

test.run();
