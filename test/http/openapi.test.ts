import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { createApp } from '../../core/http/app.ts';
import { API_VERSION } from '../../core/http/openapi.ts';
import { ERROR_TABLE } from '../../core/domain/errors.ts';
import { MASTER_QUERY_PARAMETERS } from '../../core/http/query.ts';
import { MASTER_RESPONSE_HEADERS } from '../../core/http/headers.ts';
import { createEchoRunner } from '../support/doubles.ts';
import { repoRoot } from '../support/processes.ts';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
// Ajv resolves the schema's `$dynamicRef: "#meta"` to the enclosing object
// (validating a Schema Object as a Header). In this schema (not the "base"
// variant, which extends the dialect) the only `$dynamicAnchor: meta` is
// `$defs/schema`, so a static `$ref` to it is the same rule.
const oasSchema = JSON.parse(
  readFileSync(join(repoRoot, 'test/http/openapi/oas-3.1-schema-2025-11-23.json'), 'utf8').replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"'),
);

function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The formats the OAS schema uses, checked for real.
  ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'http://base.invalid/'));
  ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/);
  ajv.addFormat('media-range', /^[\w.+*-]+\/[\w.+*-]+(\s*;.*)?$/);
  return ajv.compile(oasSchema);
}

const app = createApp({ runner: createEchoRunner() });
const document = async () => (await app(new Request('http://local/openapi.json'))).json();

test('the OpenAPI document validates against the official OpenAPI 3.1 schema', async () => {
  const validate = validator();
  const doc = await document();
  assert.is(doc.openapi, '3.1.0');
  const valid = validate(doc);
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
});

test('the validator rejects a broken document (the check can fail)', () => {
  const validate = validator();
  assert.not.ok(validate({ openapi: '3.1.0', paths: {} }));
  assert.not.ok(validate({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/x': { get: { responses: { '200': { content: 5 } } } } } }));
});

test('the document lists exactly the routes the router serves, and each answers', async () => {
  const doc = await document();
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
  assert.equal(app.routes.map((route) => `${route.method} ${route.path}`).sort(), documented);
  for (const operation of documented) {
    const [method, path] = operation.split(' ');
    const response = await app(new Request(`http://local${path}`, { method }));
    assert.not.ok([404, 405].includes(response.status), `${operation} answered ${response.status}`);
  }
});

test('every error code is documented, each under its own status', async () => {
  const doc = await document();
  assert.equal([...doc.components.schemas.ErrorBody.properties.detail.properties.code.enum].sort(), Object.keys(ERROR_TABLE).sort());
  const seen = new Set<string>();
  for (const methods of Object.values(doc.paths as Record<string, Record<string, { responses: Record<string, any> }>>)) {
    for (const operation of Object.values(methods)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const codes: string[] = response.content?.['application/json']?.schema?.allOf?.[1]?.properties.detail.properties.code.enum ?? [];
        for (const code of codes) {
          assert.is(String(ERROR_TABLE[code as keyof typeof ERROR_TABLE].status), status, code);
          seen.add(code);
        }
      }
    }
  }
  // 404 and 405 belong to no operation; they are described in info.description. worker_lost is
  // only ever a failed job's error code, described with the Job schema.
  const routeless = Object.keys(ERROR_TABLE).filter((code) => !seen.has(code)).sort();
  assert.equal(routeless, ['method_not_allowed', 'not_found', 'worker_lost']);
  assert.match(doc.components.schemas.Job.properties.error.description, /`worker_lost`/);
  assert.match(doc.info.description, /404 not_found/);
  assert.match(doc.info.description, /405 method_not_allowed/);
});

test('POST /master documents every query parameter and every result header', async () => {
  const doc = await document();
  const master = doc.paths['/master'].post;
  const queryNames = master.parameters.filter((p: { in?: string }) => p.in === 'query').map((p: { name: string }) => p.name);
  assert.equal(queryNames.sort(), Object.keys(MASTER_QUERY_PARAMETERS).sort());
  const bitDepth = master.parameters.find((p: { name?: string }) => p.name === 'bit_depth');
  assert.equal(bitDepth.schema.enum, ['16', '24', '32']);
  assert.equal(Object.keys(master.responses['200'].headers).sort(), Object.values(MASTER_RESPONSE_HEADERS).sort());
  assert.ok(master.parameters.some((p: { $ref?: string }) => p.$ref === '#/components/parameters/X-Correlation-Id'));
  assert.equal(master.requestBody.content['multipart/form-data'].schema.required, ['target', 'reference']);
});

test('POST /analyze documents its one file part, its JSON measurements and its errors; GET / is the HTML page', async () => {
  const doc = await document();
  const analyze = doc.paths['/analyze'].post;
  assert.equal(analyze.requestBody.content['multipart/form-data'].schema.required, ['file']);
  assert.is(analyze.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/TrackAnalysis');
  const schema = doc.components.schemas.TrackAnalysis;
  for (const field of ['integrated_lufs', 'loudness_range_lu', 'true_peak_dbtp', 'sample_peak_dbfs', 'rms_dbfs', 'crest_factor_db', 'duration_seconds', 'sample_rate_hz', 'channels', 'spectrum', 'short_term_loudness']) {
    assert.ok(schema.required.includes(field), field);
  }
  assert.equal(Object.keys(analyze.responses).sort(), ['200', '400', '401', '413', '415', '500', '503']);
  assert.ok(analyze.security.some((requirement: object) => Object.keys(requirement).length > 0), 'needs a key when keys are configured');
  const page = doc.paths['/'].get;
  assert.ok(page.responses['200'].content['text/html']);
  assert.equal(page.security, []);
});

test('the documented API version is the package version', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  assert.is(API_VERSION, pkg.version);
});

test('/master and /jobs document every matching control with its range or values, the repeated reference and too_many_references', async () => {
  const doc = await document();
  for (const [path, operation] of [['/master', doc.paths['/master'].post], ['/jobs', doc.paths['/jobs'].post]] as const) {
    const parameters = new Map((operation.parameters as Array<Record<string, any>>).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
    for (const name of Object.keys(MASTER_QUERY_PARAMETERS)) {
      const schema = parameters.get(name);
      assert.ok(schema, `${path} documents ${name}`);
      assert.ok(schema.enum || (schema.minimum !== undefined && schema.maximum !== undefined) || schema.pattern, `${path} ${name} states its values`);
    }
    assert.equal([parameters.get('strength').minimum, parameters.get('strength').maximum], [0, 100]);
    assert.equal([parameters.get('ceiling_dbtp').minimum, parameters.get('ceiling_dbtp').maximum], [-3, -0.1]);
    assert.equal(parameters.get('loudness_preset').enum, ['spotify', 'apple-music', 'youtube', 'amazon-music', 'tidal', 'ebu-r128', 'podcast', 'cd']);
    assert.equal(parameters.get('sample_rate').enum, ['keep', '44100', '48000', '88200', '96000']);
    assert.ok(new RegExp(parameters.get('match').pattern).test('tone,width') && !new RegExp(parameters.get('match').pattern).test('tone,loud'));
    const reference = operation.requestBody.content['multipart/form-data'].schema.properties.reference;
    assert.equal([reference.type, reference.minItems, reference.maxItems], ['array', 1, 5]);
    const badRequest = operation.responses['400'].content['application/json'].schema.allOf[1].properties.detail.properties.code.enum;
    assert.ok(badRequest.includes('too_many_references'), `${path} lists too_many_references`);
  }
});

test.run();
