import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../core/http/app.ts';
import { createEchoRunner } from '../support/doubles.ts';

const app = createApp({ runner: createEchoRunner() });
const get = (path: string, init: RequestInit = {}) => app(new Request(`http://local${path}`, init));

test('GET /health answers 200 {"status":"ok"} with a generated correlation id', async () => {
  const response = await get('/health');
  assert.is(response.status, 200);
  assert.equal(await response.json(), { status: 'ok' });
  assert.match(response.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('a well-formed X-Correlation-Id is echoed and a malformed one is replaced, never echoed', async () => {
  const echoed = await get('/health', { headers: { 'X-Correlation-Id': 'Req.42:abc-DEF_9' } });
  assert.is(echoed.headers.get('x-correlation-id'), 'Req.42:abc-DEF_9');
  for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', 'slash/inside', '<script>']) {
    const replaced = await get('/health', { headers: { 'X-Correlation-Id': bad } });
    const id = replaced.headers.get('x-correlation-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/, `not replaced: ${bad}`);
  }
});

test('an unknown route answers 404 not_found with the error body and a correlation id', async () => {
  const response = await get('/nope', { headers: { 'X-Correlation-Id': 'c-404' } });
  assert.is(response.status, 404);
  const body = await response.json();
  assert.is(body.detail.code, 'not_found');
  assert.type(body.detail.message, 'string');
  assert.is(response.headers.get('x-correlation-id'), 'c-404');
});

test('a known path with the wrong method answers 405 method_not_allowed with Allow', async () => {
  const onMaster = await get('/master');
  assert.is(onMaster.status, 405);
  assert.is(onMaster.headers.get('allow'), 'POST');
  assert.is((await onMaster.json()).detail.code, 'method_not_allowed');
  const onHealth = await get('/health', { method: 'POST' });
  assert.is(onHealth.status, 405);
  assert.is(onHealth.headers.get('allow'), 'GET, HEAD');
  assert.ok(onHealth.headers.get('x-correlation-id'));
});

test('HEAD is answered like GET without a body', async () => {
  const response = await get('/health', { method: 'HEAD' });
  assert.is(response.status, 200);
  assert.is(await response.text(), '');
});

test('the router registers exactly the documented operations', async () => {
  const doc = await (await get('/openapi.json')).json();
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
  const served = app.routes.map((route) => `${route.method} ${route.path}`).sort();
  assert.equal(served, documented);
});

test.run();
