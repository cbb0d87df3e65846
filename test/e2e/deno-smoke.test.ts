// The smoke flow against the same handler served by Deno.serve, with
// filesystem storage: health, a real mastering request, the stored file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { denoBinary, startServer } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';
import { fixturePath } from '../support/fixtures.ts';
import { eventNamesFor, postMaster, readWavInfo, waitForOutput } from '../support/http-client.ts';

if (requireTool('deno', existsSync(denoBinary), 'Deno smoke flow')) {
  test('the Deno runtime serves the smoke flow with filesystem storage', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-deno-'));
    const server = await startServer(denoBinary, ['run', '-A', 'runtimes/deno/server.ts'], {
      AUDO_EQ_STORAGE_BACKEND: 'filesystem',
      AUDO_EQ_DATA_DIR: dataDir,
      AUDO_EQ_LOG_FORMAT: 'json',
    });
    try {
      const health = await fetch(`${server.baseUrl}/health`);
      assert.equal(await health.json(), { status: 'ok' });

      const response = await postMaster(server.baseUrl, fixturePath('synthwave_48k_24bit/target.wav'), fixturePath('synthwave_48k_24bit/reference.wav'), {
        query: '?eq_mode=reference-match',
        headers: { 'X-Correlation-Id': 'deno-smoke-1' },
      });
      const body = new Uint8Array(await response.arrayBuffer());
      assert.is(response.status, 200, new TextDecoder().decode(body.subarray(0, 300)));
      const wav = readWavInfo(body);
      assert.is(wav.sampleRateHz, 48000);
      assert.is(wav.channels, 2);
      assert.is(response.headers.get('x-correlation-id'), 'deno-smoke-1');
      assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
      const url = response.headers.get('x-mastered-object-url')!;
      assert.match(url, /^file:\/\/.*\/mastered\/[0-9a-f-]{36}\.wav$/);
      const path = fileURLToPath(url);
      assert.ok(path.startsWith(dataDir));
      assert.equal(new Uint8Array(readFileSync(path)), body);

      await waitForOutput(server.output, (out) => eventNamesFor(out, 'deno-smoke-1').includes('ArtifactStored'));
      const names = eventNamesFor(server.output(), 'deno-smoke-1');
      assert.is(names[0], 'IngestValidated');
      assert.is(names[names.length - 1], 'ArtifactStored');
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test.run();
