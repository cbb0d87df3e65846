import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ingestPolicyFromConfig, loadConfig, secretValues } from '../../core/app/config.ts';
import { DEFAULT_LIMITS } from '../../core/domain/limits.ts';
import { DEFAULT_INGEST_POLICY } from '../../core/domain/policies.ts';

test('an empty environment gives the documented defaults', () => {
  const config = loadConfig({});
  assert.is(config.API_HOST, '0.0.0.0');
  assert.is(config.API_PORT, 8000);
  assert.is(config.AUDO_EQ_STORAGE_ENABLED, true);
  assert.is(config.AUDO_EQ_STORAGE_BACKEND, 'filesystem');
  assert.is(config.AUDO_EQ_DATA_DIR, './data');
  assert.is(config.AUDO_EQ_S3_ENDPOINT, 'minio:9000');
  assert.is(config.AUDO_EQ_S3_BUCKET, 'audo-eq-mastered');
  assert.is(config.AUDO_EQ_S3_SECURE, false);
  assert.is(config.AUDO_EQ_S3_URL_TTL_SECONDS, 3600);
  assert.is(config.AUDO_EQ_ARTIFACT_PERSISTENCE_MODE, 'immediate');
  assert.is(config.AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE, 'best-effort');
  assert.is(config.AUDO_EQ_QUEUE_BACKEND, 'memory');
  assert.equal(config.AUDO_EQ_API_KEYS, []);
  assert.is(config.MINIO_API_PORT, 9000);
  assert.is(config.MINIO_CONSOLE_PORT, 9001);
  assert.is(config.AUDO_EQ_WORKERS, undefined);
});

test('empty strings count as unset and enums are case-insensitive', () => {
  const config = loadConfig({ API_PORT: '', AUDO_EQ_STORAGE_ENABLED: ' ', AUDO_EQ_LOG_FORMAT: 'JSON', AUDO_EQ_STORAGE_BACKEND: 'S3' });
  assert.is(config.API_PORT, 8000);
  assert.is(config.AUDO_EQ_STORAGE_ENABLED, true);
  assert.is(config.AUDO_EQ_LOG_FORMAT, 'json');
  assert.is(config.AUDO_EQ_STORAGE_BACKEND, 's3');
});

test('booleans read false as false and lists split on commas', () => {
  const config = loadConfig({ AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_S3_SECURE: 'true', AUDO_EQ_API_KEYS: ' a1b2c3 , ,d4e5f6 ', AUDO_EQ_CORS_ORIGINS: 'https://a.example,https://b.example' });
  assert.is(config.AUDO_EQ_STORAGE_ENABLED, false);
  assert.is(config.AUDO_EQ_S3_SECURE, true);
  assert.equal(config.AUDO_EQ_API_KEYS, ['a1b2c3', 'd4e5f6']);
  assert.equal(config.AUDO_EQ_CORS_ORIGINS, ['https://a.example', 'https://b.example']);
  assert.equal(secretValues({ ...config, AUDO_EQ_S3_SECRET_KEY: 'topsecret' }), ['topsecret', 'a1b2c3', 'd4e5f6']);
});

test('a bad value stops with one line naming the variable and not echoing the value', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ API_PORT: 'eighty' }, 'API_PORT'],
    [{ API_PORT: '70000' }, 'API_PORT'],
    [{ AUDO_EQ_STORAGE_ENABLED: 'maybe' }, 'AUDO_EQ_STORAGE_ENABLED'],
    [{ AUDO_EQ_STORAGE_BACKEND: 'ftp' }, 'AUDO_EQ_STORAGE_BACKEND'],
    [{ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'later' }, 'AUDO_EQ_ARTIFACT_PERSISTENCE_MODE'],
    [{ AUDO_EQ_S3_URL_TTL_SECONDS: '0' }, 'AUDO_EQ_S3_URL_TTL_SECONDS'],
    [{ AUDO_EQ_S3_BUCKET: 'Bad_Bucket' }, 'AUDO_EQ_S3_BUCKET'],
    [{ AUDO_EQ_REDIS_URL: 'http://x' }, 'AUDO_EQ_REDIS_URL'],
    [{ AUDO_EQ_MAX_PENDING: '-1' }, 'AUDO_EQ_MAX_PENDING'],
    [{ AUDO_EQ_LOG_LEVEL: 'loud' }, 'AUDO_EQ_LOG_LEVEL'],
  ];
  for (const [env, variable] of cases) {
    try {
      loadConfig(env);
      assert.unreachable(`accepted ${JSON.stringify(env)}`);
    } catch (error) {
      assert.instance(error, ConfigError);
      const message = (error as Error).message;
      assert.ok(message.startsWith(`invalid configuration: ${variable}:`), message);
      assert.not.match(message, /\n/);
      assert.not.ok(message.includes(Object.values(env)[0]) && Object.values(env)[0].length > 3, `echoed value: ${message}`);
    }
  }
});

test('the upload byte limits follow from the duration limit unless set', () => {
  const defaults = loadConfig({});
  // 3600 s × 48,000 Hz × 3 bytes × 2 channels + 8 MiB; the request: two files + 1 MiB.
  assert.equal([defaults.AUDO_EQ_MAX_DURATION_SECONDS, defaults.AUDO_EQ_MAX_FILE_BYTES, defaults.AUDO_EQ_MAX_REQUEST_BYTES], [3600, 1_045_188_608, 2_091_425_792]);
  assert.equal([DEFAULT_LIMITS.maxFileBytes, DEFAULT_LIMITS.maxRequestBytes], [defaults.AUDO_EQ_MAX_FILE_BYTES, defaults.AUDO_EQ_MAX_REQUEST_BYTES]);
  const halfHour = loadConfig({ AUDO_EQ_MAX_DURATION_SECONDS: '1800' });
  assert.equal([halfHour.AUDO_EQ_MAX_FILE_BYTES, halfHour.AUDO_EQ_MAX_REQUEST_BYTES], [526_788_608, 2 * 526_788_608 + 1024 * 1024]);
  assert.equal(ingestPolicyFromConfig(halfHour), { ...DEFAULT_INGEST_POLICY, maxDurationSeconds: 1800, maxFileBytes: 526_788_608 });
  const explicit = loadConfig({ AUDO_EQ_MAX_DURATION_SECONDS: '1800', AUDO_EQ_MAX_FILE_BYTES: '5000000' });
  assert.equal([explicit.AUDO_EQ_MAX_FILE_BYTES, explicit.AUDO_EQ_MAX_REQUEST_BYTES], [5_000_000, 10_000_000 + 1024 * 1024]);
  assert.is(loadConfig({ AUDO_EQ_UPLOAD_SPOOL_THRESHOLD_BYTES: '0' }).AUDO_EQ_UPLOAD_SPOOL_THRESHOLD_BYTES, 0, 'every upload to disk');
  assert.throws(() => loadConfig({ AUDO_EQ_MAX_DURATION_SECONDS: '0' }), /AUDO_EQ_MAX_DURATION_SECONDS/);
  assert.throws(() => loadConfig({ AUDO_EQ_MAX_DURATION_SECONDS: 'an hour' }), /AUDO_EQ_MAX_DURATION_SECONDS/);
});

test('contradictory persistence settings are refused at start-up', () => {
  assert.throws(() => loadConfig({ AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed', AUDO_EQ_STORAGE_ENABLED: 'false' }), /AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE/);
  assert.throws(() => loadConfig({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed' }), /AUDO_EQ_QUEUE_BACKEND: .*durable/);
  assert.throws(() => loadConfig({ AUDO_EQ_MAX_FILE_BYTES: '1000', AUDO_EQ_MAX_REQUEST_BYTES: '999' }), /AUDO_EQ_MAX_FILE_BYTES/);
});

test.run();
