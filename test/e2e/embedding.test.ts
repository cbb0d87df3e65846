// The README's embedding examples, run as they are: each mounts createHandler
// under /audo-eq/ in its own server (node:http through the adapter, Deno.serve,
// Bun.serve) next to a route of its own; /health and a small /master work, the
// file is stored, and the README shows exactly the code in examples/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureHead } from '../support/fixtures.ts';
import { postMaster, readWavInfo } from '../support/http-client.ts';
import { bunBinary, denoBinary, repoRoot, startProcess } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const EXAMPLES = [
  { name: 'Node (node:http)', file: 'examples/embed-node.ts', command: process.execPath, args: ['--import', 'tsx'], tool: null },
  { name: 'Deno (Deno.serve)', file: 'examples/embed-deno.ts', command: denoBinary, args: ['run', '-A'], tool: 'deno' },
  { name: 'Bun (Bun.serve)', file: 'examples/embed-bun.ts', command: bunBinary, args: [], tool: 'bun' },
] as const;

test('the README Embedding section shows each example file exactly as it is in examples/', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Embedding\n'), readme.indexOf('\n## ', readme.indexOf('\n## Embedding\n') + 1));
  for (const example of EXAMPLES) {
    const code = readFileSync(join(repoRoot, example.file), 'utf8').trimEnd();
    assert.ok(section.includes(`\`\`\`ts\n${code}\n\`\`\``), `${example.file} is shown verbatim`);
  }
});

if (requireTool('deno', existsSync(denoBinary), 'Deno and Bun embedding examples type-check')) {
  test('the Deno and Bun examples type-check with deno check', () => {
    const run = spawnSync(denoBinary, ['check', 'examples/embed-deno.ts', 'examples/embed-bun.ts'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    assert.is(run.status, 0, run.stderr);
  });
}

for (const example of EXAMPLES) {
  const available = example.tool === null || existsSync(example.tool === 'deno' ? denoBinary : bunBinary);
  if (!requireTool(example.tool ?? 'node', available, `embedding example ${example.file}`)) continue;
  test(`the ${example.name} embedding example serves its own route, /audo-eq/health and a small /audo-eq/master`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-embed-'));
    const app = await startProcess(example.command, [...example.args, example.file], { PORT: '0', DATA_DIR: dataDir }, /listening on (http:\/\/\S+)/);
    try {
      const baseUrl = app.ready;
      assert.match(await (await fetch(`${baseUrl}/`)).text(), /my app/);
      const health = await fetch(`${baseUrl}/audo-eq/health`);
      assert.equal([health.status, await health.json()], [200, { status: 'ok' }]);

      const target = fixtureHead('speech_mono_target/target.wav', 2);
      const reference = fixtureHead('speech_mono_target/reference.wav', 2);
      const response = await postMaster(`${baseUrl}/audo-eq`, target, reference, { headers: { 'X-Correlation-Id': `embed-${example.tool ?? 'node'}` } });
      const body = new Uint8Array(await response.arrayBuffer());
      assert.is(response.status, 200, new TextDecoder().decode(body.subarray(0, 300)));
      assert.equal([readWavInfo(body).channels, readWavInfo(body).sampleRateHz], [1, 44100]);
      assert.is(response.headers.get('x-correlation-id'), `embed-${example.tool ?? 'node'}`);
      assert.is(response.headers.get('x-artifact-persistence-status'), 'stored');
      // The artifact route under the mount point the example passes as basePath, serving the stored file.
      const key = response.headers.get('x-mastered-object-key')!;
      assert.is(response.headers.get('x-mastered-object-url'), `${baseUrl}/audo-eq/artifacts/${key}`);
      assert.ok(Buffer.from(readFileSync(join(dataDir, key))).equals(Buffer.from(body)));
      const served = await fetch(response.headers.get('x-mastered-object-url')!);
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(body)));

      const bad = await postMaster(`${baseUrl}/audo-eq`, new TextEncoder().encode('not audio, only words'), reference);
      assert.equal([bad.status, ((await bad.json()) as { detail: { code: string } }).detail.code], [415, 'unsupported_container']);
    } finally {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test.run();
