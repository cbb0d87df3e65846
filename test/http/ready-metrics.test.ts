import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../core/http/app.ts';
import type { ArtifactStorage } from '../../core/app/ports.ts';
import { createEchoRunner, createFailingStorage, createMemoryStorage, multipartForm, tinyWav } from '../support/doubles.ts';

test('/ready is 200 and lists the storage check when storage answers', async () => {
  const app = createApp({ runner: createEchoRunner(), storage: createMemoryStorage() });
  const response = await app(new Request('http://local/ready'));
  assert.is(response.status, 200);
  assert.equal(await response.json(), { status: 'ready', checks: { storage: { status: 'ok', backend: 'memory' } } });
});

test('/ready is 503 not_ready with each check when storage fails', async () => {
  const app = createApp({ runner: createEchoRunner(), storage: createFailingStorage('bucket unreachable') });
  const response = await app(new Request('http://local/ready'));
  assert.is(response.status, 503);
  const { detail } = await response.json();
  assert.is(detail.code, 'not_ready');
  assert.equal(detail.failed, ['storage']);
  assert.equal(detail.checks.storage, { status: 'unavailable', backend: 'failing', code: 'storage_error', check: 'AUDO_EQ_S3_ENDPOINT', error: 'bucket unreachable' });
  assert.ok(response.headers.get('retry-after'));

});

test('/ready gives up on a storage that never answers after the ready timeout', async () => {
  const hanging: ArtifactStorage = { ...createMemoryStorage(), backend: 'hanging', checkReady: () => new Promise(() => {}) };
  const app = createApp({ runner: createEchoRunner(), storage: hanging, readyTimeoutMs: 50 });
  const response = await app(new Request('http://local/ready'));
  assert.is(response.status, 503);
  assert.match((await response.json()).detail.checks.storage.error, /50 ms/);
});

test('/ready reports disabled storage as ready', async () => {
  const app = createApp({ runner: createEchoRunner(), storage: null });
  const response = await app(new Request('http://local/ready'));
  assert.is(response.status, 200);
  assert.equal((await response.json()).checks, { storage: { status: 'disabled' } });
});

test('/metrics exposes request counts by route and status, latency, mastering time and persistence outcomes', async () => {
  const app = createApp({ runner: createEchoRunner(), storage: createMemoryStorage() });
  await app(new Request('http://local/health'));
  await app(new Request('http://local/unknown/path/123'));
  await app(new Request('http://local/master', { method: 'POST', body: multipartForm({ target: tinyWav(), reference: tinyWav() }) }));
  const response = await app(new Request('http://local/metrics'));
  assert.is(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  assert.match(text, /^audo_eq_http_requests_total\{method="GET",route="\/health",status="200"\} 1$/m);
  assert.match(text, /^audo_eq_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
  assert.match(text, /^audo_eq_http_requests_total\{method="POST",route="\/master",status="200"\} 1$/m);
  assert.match(text, /^audo_eq_http_request_duration_seconds_bucket\{method="GET",route="\/health",le="\+Inf"\} 1$/m);
  assert.match(text, /^audo_eq_mastering_duration_seconds_count\{outcome="success"\} 1$/m);
  assert.match(text, /^audo_eq_artifact_persistence_total\{status="stored"\} 1$/m);
  assert.match(text, /^audo_eq_mastering_in_flight 0$/m);
  assert.not.match(text, /unknown\/path/);
  // Every sample line is `name{labels} value` and every metric has HELP and TYPE.
  for (const line of text.trim().split('\n')) {
    assert.ok(/^# (HELP|TYPE) \w+ .+$/.test(line) || /^\w+(\{[^}]*\})? [-+0-9.eEInfNa]+$/.test(line), line);
  }
});

test.run();
