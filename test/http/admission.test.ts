// Admission in one place: /master, /analyze and /jobs share one bound
// (runner concurrency + maxPending), applied before any route reads a byte;
// an overloaded request is no mastering failure (no MasteringFailed), and
// every real failure is published once, by the use case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../core/http/app.ts';
import { createLoggingEventPublisher } from '../../core/app/logging-event-publisher.ts';
import { createMemoryJobQueue } from '../../adapters/jobs/memory.ts';
import { createEchoRunner, createFailingStorage, createMemoryStorage, createRecordingLogger, multipartForm, tinyWav } from '../support/doubles.ts';

/** A runner whose first job waits until released; `running` resolves once it has started. */
function gatedRunner() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const echo = createEchoRunner();
  return { release, running, runner: { run: async (job: Parameters<typeof echo.run>[0]) => (started(), await gate, echo.run(job)) } };
}

const form = () => multipartForm({ target: tinyWav(), reference: tinyWav() });

function setup(options: { maxPending: number; storage?: ReturnType<typeof createMemoryStorage> | ReturnType<typeof createFailingStorage> }) {
  const gated = gatedRunner();
  const logger = createRecordingLogger();
  const queue = createMemoryJobQueue({ name: 'jobs', capacity: 10, retentionMs: 60_000, maxAttempts: 1, retryDelayMs: () => 1000 });
  const app = createApp({ runner: gated.runner, storage: options.storage ?? createMemoryStorage(), logger, events: createLoggingEventPublisher(logger), maxPending: options.maxPending, jobs: { queue } });
  const failures = () => logger.records.filter((r) => r.message === 'domain_event_emitted' && r.fields.event_name === 'MasteringFailed');
  return { ...gated, app, logger, failures, close: () => queue.close() };
}

test('one running mastering fills a bound of one: /master, /analyze and /jobs all answer 503 overloaded with Retry-After, and publish no failure', async () => {
  const { app, running, release, failures, close } = setup({ maxPending: 0 });
  const first = app(new Request('http://local/master', { method: 'POST', body: form() }));
  await running;
  const refused = [
    await app(new Request('http://local/master?bit_depth=7', { method: 'POST', body: form() })),
    await app(new Request('http://local/analyze', { method: 'POST', body: multipartForm({ file: tinyWav() }) })),
    await app(new Request('http://local/jobs', { method: 'POST', body: form() })),
  ];
  for (const response of refused) {
    assert.is(response.status, 503);
    assert.is((await response.json()).detail.code, 'overloaded');
    assert.is(response.headers.get('retry-after'), '5');
  }
  assert.is(failures().length, 0);
  release();
  assert.is((await first).status, 200);
  // The bound is free again.
  assert.is((await app(new Request('http://local/analyze', { method: 'POST', body: multipartForm({ file: tinyWav() }) }))).status, 200);
  await close();
});

test('a refused request frees its place: a bad query, a missing part and a failed store each leave the count where it was', async () => {
  const { app, release, close } = setup({ maxPending: 0, storage: createFailingStorage() });
  release();
  assert.is((await app(new Request('http://local/master?bit_depth=7', { method: 'POST', body: form() }))).status, 400);
  assert.is((await app(new Request('http://local/master', { method: 'POST', body: multipartForm({ target: tinyWav() }) }))).status, 400);
  assert.is((await app(new Request('http://local/master', { method: 'POST', body: form() }))).status, 200);
  assert.is((await app(new Request('http://local/master', { method: 'POST', body: form() }))).status, 200);
  await close();
});

test('each failure is published exactly once, by the use case, with its stage', async () => {
  const { app, release, failures, close } = setup({ maxPending: 4 });
  release();
  await app(new Request('http://local/master?bit_depth=7', { method: 'POST', body: form(), headers: { 'x-correlation-id': 'f-query' } }));
  await app(new Request('http://local/master', { method: 'POST', body: multipartForm({ target: tinyWav() }), headers: { 'x-correlation-id': 'f-part' } }));
  await app(new Request('http://local/master', { method: 'POST', body: multipartForm({ target: 'ERR:unsupported_container', reference: tinyWav() }), headers: { 'x-correlation-id': 'f-ingest' } }));
  await app(new Request('http://local/jobs?bit_depth=7', { method: 'POST', body: form(), headers: { 'x-correlation-id': 'f-job' } }));
  const byId = (id: string) => failures().filter((r) => r.fields.correlation_id === id).map((r) => r.fields.payload_summary as Record<string, unknown>);
  assert.equal(byId('f-query').map((p) => [p.stage, p.code]), [['request', 'invalid_query_parameter']]);
  assert.equal(byId('f-part').map((p) => [p.stage, p.code]), [['request', 'missing_file']]);
  assert.equal(byId('f-ingest').map((p) => [p.stage, p.code]), [['ingest', 'unsupported_container']]);
  assert.equal(byId('f-job').map((p) => [p.stage, p.code, p.async]), [['request', 'invalid_query_parameter', true]]);
  await close();
});

test.run();
