// Every way audo-eq's processes are started — the `audo-eq` launcher as a
// shell runs it, the npm scripts and the image — gives glibc's malloc
// transparent huge pages (README "Set up": on the VMs we measure on, mapping a
// fresh page costs ~10 µs, and a job maps hundreds of megabytes). The launcher
// is checked as a running process, its environment read back from the kernel;
// the scripts and the image as npm and the image builder read them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envOf, parseDockerfile } from '../support/dockerfile.ts';
import { repoRoot, startProcess } from '../support/processes.ts';

const HUGE_PAGES = 'glibc.malloc.hugetlb=1';

test('the launcher, started by its own first line, runs Node with malloc on huge pages, and the command works', async () => {
  const data = mkdtempSync(join(tmpdir(), 'audo-eq-huge-pages-'));
  // Not `node bin/audo-eq.mjs`: the first line is what a shell (and npm's bin link) runs.
  const server = await startProcess(
    join(repoRoot, 'bin/audo-eq.mjs'),
    ['serve'],
    { API_HOST: '127.0.0.1', API_PORT: '0', AUDO_EQ_DATA_DIR: data, AUDO_EQ_LOG_FORMAT: 'json', GLIBC_TUNABLES: '' },
    /"message":"audo-eq listening"[^\n]*"port":(\d+)/,
  );
  try {
    const environment = readFileSync(`/proc/${server.process.pid}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes(`GLIBC_TUNABLES=${HUGE_PAGES}`), `the server's environment: ${environment.filter((v) => v.startsWith('GLIBC')).join(' ') || 'no GLIBC_TUNABLES'}`);
    const health = await fetch(`http://127.0.0.1:${server.ready}/health`);
    assert.is(health.status, 200);
  } finally {
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
});

test('npm start, serve and worker set the same tunable in front of plain Node', () => {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const name of ['start', 'serve', 'worker']) {
    assert.match(scripts[name], new RegExp(`^GLIBC_TUNABLES=${HUGE_PAGES.replaceAll('.', '\\.')} node dist/runtimes/node/\\w+\\.js$`), name);
  }
});

test('the image runs its server with the same tunable', () => {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  assert.is(envOf(stages[stages.length - 1]).GLIBC_TUNABLES, HUGE_PAGES);
});

test.run();
