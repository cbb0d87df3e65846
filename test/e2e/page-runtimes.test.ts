// The page and /analyze live in core, so every runtime serves them: the Deno
// and Bun servers answer GET / with the same page as the core app and
// POST /analyze with the same measurements as the in-process Node runner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { createApp } from '../../core/http/app.ts';
import { createEchoRunner } from '../support/doubles.ts';
import { readFixture } from '../support/fixtures.ts';
import { bunBinary, denoBinary, startServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const FILE = 'synthwave_48k_24bit/target.flac';

async function analyzeAt(baseUrl: string): Promise<Record<string, any>> {
  const form = new FormData();
  form.append('file', new Blob([readFixture(FILE) as Uint8Array<ArrayBuffer>]), 'target.flac');
  const response = await fetch(`${baseUrl}/analyze`, { method: 'POST', body: form });
  assert.is(response.status, 200);
  return (await response.json()) as Record<string, any>;
}

/** Every number in `actual` within `tolerance` of `expected`, nulls and shapes equal. */
function assertClose(actual: unknown, expected: unknown, tolerance: number, path = 'body'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance, `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: length`);
    expected.forEach((item, i) => assertClose((actual as unknown[])[i], item, tolerance, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.equal(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [key, value] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], value, tolerance, `${path}.${key}`);
  } else {
    assert.is(actual, expected, path);
  }
}

const runtimes: Array<[string, string, string[]]> = [
  ['Deno', denoBinary, ['run', '-A', 'runtimes/deno/server.ts']],
  ['Bun', bunBinary, ['runtimes/bun/server.ts']],
];

const core = createApp({ runner: createEchoRunner() });
let expectedPage = '';
let expectedAnalysis: Record<string, any> = {};

test.before(async () => {
  expectedPage = await (await core(new Request('http://local/'))).text();
  const form = new FormData();
  form.append('file', new Blob([readFixture(FILE) as Uint8Array<ArrayBuffer>]), 'target.flac');
  expectedAnalysis = await (await core(new Request('http://local/analyze', { method: 'POST', body: form }))).json();
});

for (const [name, binary, args] of runtimes) {
  if (!requireTool(name.toLowerCase(), existsSync(binary), `page and /analyze on ${name}`)) continue;
  test(`the ${name} server serves the same page and the same /analyze measurements as the core app`, async () => {
    const server = await startServer(binary, args, { AUDO_EQ_STORAGE_ENABLED: 'false', AUDO_EQ_LOG_FORMAT: 'json' });
    try {
      const page = await fetch(`${server.baseUrl}/`);
      assert.is(page.status, 200);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.is(await page.text(), expectedPage);
      // Different JavaScript engines may round the last digit differently; nothing more.
      assertClose(await analyzeAt(server.baseUrl), expectedAnalysis, 0.011);
    } finally {
      await server.stop();
    }
  });
}

test.run();
