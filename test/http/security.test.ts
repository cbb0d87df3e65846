import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../core/http/app.ts';
import { createEchoRunner, createMemoryStorage, multipartForm, tinyWav } from '../support/doubles.ts';

const keyed = createApp({ runner: createEchoRunner(), storage: createMemoryStorage(), apiKeys: ['k-one-123', 'k-two-456'] });
const postMaster = (headers: HeadersInit) =>
  keyed(new Request('http://local/master', { method: 'POST', headers, body: multipartForm({ target: tinyWav(), reference: tinyWav() }) }));

test('with API keys set, /master without a key is 401 unauthorized with WWW-Authenticate', async () => {
  const response = await postMaster({});
  assert.is(response.status, 401);
  assert.is((await response.json()).detail.code, 'unauthorized');
  assert.is(response.headers.get('www-authenticate'), 'Bearer');
  assert.ok(response.headers.get('x-correlation-id'));
  assert.is((await postMaster({ Authorization: 'Bearer wrong-key' })).status, 401);
  assert.is((await postMaster({ 'X-Api-Key': 'k-one-12' })).status, 401);
});

test('a configured key is accepted as a bearer token or as X-Api-Key', async () => {
  assert.is((await postMaster({ Authorization: 'Bearer k-one-123' })).status, 200);
  assert.is((await postMaster({ authorization: 'bearer k-two-456' })).status, 200);
  assert.is((await postMaster({ 'X-Api-Key': 'k-two-456' })).status, 200);
});

test('/health, /ready, /docs and /openapi.json stay open while /metrics needs a key', async () => {
  for (const path of ['/health', '/ready', '/docs', '/openapi.json']) {
    assert.is((await keyed(new Request(`http://local${path}`))).status, 200, path);
  }
  assert.is((await keyed(new Request('http://local/metrics'))).status, 401);
  assert.is((await keyed(new Request('http://local/metrics', { headers: { 'X-Api-Key': 'k-one-123' } }))).status, 200);
});

test('without configured keys everything is open', async () => {
  const open = createApp({ runner: createEchoRunner() });
  assert.is((await open(new Request('http://local/metrics'))).status, 200);
});

const cors = createApp({ runner: createEchoRunner(), corsOrigins: ['https://app.example'] });

test('a preflight from an allowed origin is granted methods, headers and max-age', async () => {
  const response = await cors(
    new Request('http://local/master', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key' },
    }),
  );
  assert.is(response.status, 204);
  assert.is(response.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.match(response.headers.get('access-control-allow-headers') ?? '', /X-Api-Key/);
});

test('a preflight from another origin gets no grant', async () => {
  const response = await cors(
    new Request('http://local/master', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }),
  );
  assert.is(response.headers.get('access-control-allow-origin'), null);
});

test('responses to an allowed origin expose the X- result headers', async () => {
  const response = await cors(
    new Request('http://local/master', { method: 'POST', headers: { Origin: 'https://app.example' }, body: multipartForm({ target: tinyWav(), reference: tinyWav() }) }),
  );
  assert.is(response.status, 200);
  assert.is(response.headers.get('access-control-allow-origin'), 'https://app.example');
  const exposed = response.headers.get('access-control-expose-headers') ?? '';
  for (const name of ['X-Correlation-Id', 'X-Artifact-Persistence-Status', 'X-Mastered-Object-Url', 'X-Mastering-Diagnostics']) {
    assert.ok(exposed.includes(name), name);
  }
});

test('without an allow-list no CORS header is sent and OPTIONS is 405', async () => {
  const plain = createApp({ runner: createEchoRunner() });
  const response = await plain(new Request('http://local/health', { headers: { Origin: 'https://app.example' } }));
  assert.is(response.headers.get('access-control-allow-origin'), null);
  const preflight = await plain(new Request('http://local/master', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } }));
  assert.is(preflight.status, 405);
});

test.run();
