import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createArtifactPersister, persistencePolicyProblem, QUEUED_INFO, STORAGE_FAILED_WARNING, type ArtifactPersisterDeps } from '../../core/app/persist-artifact.ts';
import type { ArtifactPersistenceTask, ArtifactQueue } from '../../core/app/ports.ts';
import { StorageError } from '../../core/app/storage-failure.ts';
import { AudoEqError } from '../../core/domain/errors.ts';
import { createRecordingPublisher } from '../../core/domain/events.ts';
import { createMemoryQueue } from '../../adapters/queue/memory.ts';
import { createFailingStorage, createMemoryStorage, createRecordingLogger, tinyWav } from '../support/doubles.ts';

/** A real memory queue that also records what it was given, can be told to fail, and can claim durability (the policy check reads only the flag). */
function queue(options: { durable: boolean; fail?: boolean }): ArtifactQueue & { tasks: ArtifactPersistenceTask[] } {
  const tasks: ArtifactPersistenceTask[] = [];
  const base = createMemoryQueue({ name: 'unused', capacity: 100, maxBytes: 1 << 30, visibilityTimeoutMs: 1000 });
  return {
    ...base,
    name: options.durable ? 'durable-test' : 'memory-test',
    durable: options.durable,
    tasks,
    async enqueue(task) {
      if (options.fail) throw new Error('queue full');
      tasks.push(task);
      await base.enqueue(task);
    },
  };
}

function deps(overrides: Partial<ArtifactPersisterDeps>) {
  const events = createRecordingPublisher();
  const logger = createRecordingLogger();
  let n = 0;
  return {
    events,
    logger,
    deps: {
      policy: { mode: 'immediate', guarantee: 'best-effort' },
      storage: createMemoryStorage(),
      events,
      logger,
      clock: { now: () => new Date('2026-01-02T03:04:05.000Z') },
      ids: () => `id-${++n}`,
      ...overrides,
    } as ArtifactPersisterDeps,
  };
}

const artifact = { wav: tinyWav(), correlationId: 'c-1', profileId: 'default' };

test('immediate storage publishes ArtifactStored with the destination', async () => {
  const { deps: d, events } = deps({});
  const outcome = await createArtifactPersister(d).persist(artifact);
  assert.equal(outcome, { status: 'stored', key: 'mastered/id-1.wav', url: 'memory://bucket/mastered/id-1.wav', destination: 'memory://bucket/mastered/id-1.wav' });
  assert.is(events.events.length, 1);
  assert.is(events.events[0].name, 'ArtifactStored');
  assert.is(events.events[0].correlationId, 'c-1');
  assert.is(events.events[0].occurredAt, '2026-01-02T03:04:05.000Z');
  assert.is(events.events[0].payload.destination, 'memory://bucket/mastered/id-1.wav');
});

test('an immediate failure under best-effort is skipped with the exact warning and ArtifactPersistenceFailed', async () => {
  const { deps: d, events, logger } = deps({ storage: createFailingStorage('connect ECONNREFUSED 127.0.0.1:9') });
  const outcome = await createArtifactPersister(d).persist(artifact);
  assert.equal(outcome, { status: 'skipped', reason: 'storage_unavailable' });
  assert.is(logger.records[0].message, 'Mastered audio storage failed; returning no URL.');
  assert.is(logger.records[0].message, STORAGE_FAILED_WARNING);
  assert.is(logger.records[0].fields.storage_error, 'storage_endpoint_unreachable');
  assert.is(events.events[0].name, 'ArtifactPersistenceFailed');
  assert.is(events.events[0].payload.reason, 'storage_unavailable');
});

test('a refusal by the storage (it answered: credentials, bucket) is skipped as storage_rejected naming the settings to check', async () => {
  const refusing = { ...createMemoryStorage(), backend: 's3', store: async () => Promise.reject(new StorageError('storage_credentials_rejected', 'InvalidAccessKeyId, HTTP 403')) };
  const { deps: d, events, logger } = deps({ storage: refusing });
  assert.equal(await createArtifactPersister(d).persist(artifact), { status: 'skipped', reason: 'storage_rejected' });
  assert.is(logger.records[0].fields.storage_error, 'storage_credentials_rejected');
  assert.is(logger.records[0].fields.check, 'AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY');
  assert.is(events.events[0].payload.check, 'AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY');
});

test('an immediate failure under guaranteed throws storage_unavailable carrying the cause', async () => {
  const { deps: d } = deps({ storage: createFailingStorage('access denied'), policy: { mode: 'immediate', guarantee: 'guaranteed' } });
  try {
    await createArtifactPersister(d).persist(artifact);
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, AudoEqError);
    assert.is((error as AudoEqError).code, 'storage_unavailable');
    assert.is(((error as AudoEqError).cause as Error).message, 'access denied');
    // The 503 says why and when to come back (errorResponse turns retry_after_seconds into Retry-After).
    assert.is((error as AudoEqError).details.reason, 'storage_unavailable');
    assert.is(typeof (error as AudoEqError).details.retry_after_seconds, 'number');
  }
});

test('deferred mode enqueues the object, logs the queued line with its fields and answers deferred', async () => {
  const q = queue({ durable: false });
  const { deps: d, logger, events } = deps({ policy: { mode: 'deferred', guarantee: 'best-effort' }, queue: q });
  const outcome = await createArtifactPersister(d).persist(artifact);
  assert.equal(outcome, { status: 'deferred', key: 'mastered/id-1.wav', destination: 'queue://memory-test/mastered/id-1.wav' });
  assert.is(q.tasks[0].object.contentType, 'audio/wav');
  const info = logger.records.find((r) => r.message === QUEUED_INFO);
  assert.equal(info?.fields, { correlation_id: 'c-1', queue_name: 'memory-test', object_name: 'mastered/id-1.wav', content_type: 'audio/wav', payload_size: tinyWav().byteLength });
  assert.is(events.events[0].name, 'ArtifactPersistenceQueued');
});

test('a failed enqueue is skipped under best-effort and 503 under guaranteed', async () => {
  const best = deps({ policy: { mode: 'deferred', guarantee: 'best-effort' }, queue: queue({ durable: false, fail: true }) });
  assert.equal(await createArtifactPersister(best.deps).persist(artifact), { status: 'skipped', reason: 'queue_unavailable' });
  const guaranteed = deps({ policy: { mode: 'deferred', guarantee: 'guaranteed' }, queue: queue({ durable: true, fail: true }) });
  const error = await createArtifactPersister(guaranteed.deps).persist(artifact).then(() => null, (e: AudoEqError) => e);
  assert.is(error?.code, 'storage_unavailable');
});

test('a full queue is skipped as queue_full (a queue that does not answer is queue_unavailable)', async () => {
  const full = createMemoryQueue({ name: 'tiny', capacity: 1, maxBytes: 1024 * 1024, visibilityTimeoutMs: 60_000 });
  const { deps: d, logger } = deps({ policy: { mode: 'deferred', guarantee: 'best-effort' }, queue: full });
  const persister = createArtifactPersister(d);
  assert.is((await persister.persist(artifact)).status, 'deferred');
  assert.equal(await persister.persist(artifact), { status: 'skipped', reason: 'queue_full' });
  assert.is(logger.records.find((r) => r.message === STORAGE_FAILED_WARNING)?.fields.reason, 'queue_full');
  await full.close();
});

test('impossible policies are refused at construction with a clear sentence', () => {
  const storage = createMemoryStorage();
  assert.match(persistencePolicyProblem({ mode: 'deferred', guarantee: 'best-effort' }, storage, null) ?? '', /needs a queue/);
  assert.match(persistencePolicyProblem({ mode: 'deferred', guarantee: 'guaranteed' }, storage, queue({ durable: false })) ?? '', /durable queue/);
  assert.match(persistencePolicyProblem({ mode: 'immediate', guarantee: 'guaranteed' }, null, null) ?? '', /storage enabled/);
  assert.is(persistencePolicyProblem({ mode: 'deferred', guarantee: 'guaranteed' }, storage, queue({ durable: true })), null);
  assert.throws(() => createArtifactPersister(deps({ policy: { mode: 'deferred', guarantee: 'best-effort' }, queue: null }).deps), /needs a queue/);
});

test.run();
