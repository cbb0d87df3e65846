// The ways audo-eq's server and queue worker are started — the npm scripts
// and the image — give glibc's malloc transparent huge pages (README "Set
// up": on the VMs we measure on, mapping a fresh page costs ~10 µs, and a job
// maps hundreds of megabytes). `npm start` is checked as a running process
// started the way npm starts it (its script through sh), its server's
// environment read back from the kernel; the scripts and the image as npm and
// the image builder read them. The `audo-eq` launcher stays `#!/usr/bin/env
// node`, which every system's env runs (bin/audo-eq.mjs says why).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envOf, parseDockerfile } from '../support/dockerfile.ts';
import { repoRoot } from '../support/processes.ts';

const HUGE_PAGES = 'glibc.malloc.hugetlb=1';
const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

test('npm start, its script run by sh as npm runs it, gives the server malloc on huge pages, and the server answers', async () => {
  const data = mkdtempSync(join(tmpdir(), 'audo-eq-huge-pages-'));
  const shell = spawn('sh', ['-c', scripts.start], {
    cwd: repoRoot,
    env: { ...process.env, API_HOST: '127.0.0.1', API_PORT: '0', AUDO_EQ_DATA_DIR: data, AUDO_EQ_LOG_FORMAT: 'json', GLIBC_TUNABLES: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const shellExited = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
  let server = 0;
  try {
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start's server was not listening in 30 s:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"message":"audo-eq listening"[^\n]*"port":(\d+)/.exec(output);
        if (!match) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      };
      shell.stdout!.on('data', onData);
      shell.stderr!.on('data', onData);
      shell.once('exit', (code) => reject(new Error(`npm start's shell exited (${code}):\n${output}`)));
    });
    // sh runs the command as its child: the server is the shell's one child.
    server = Number(readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    const environment = readFileSync(`/proc/${server}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes(`GLIBC_TUNABLES=${HUGE_PAGES}`), `the server's environment: ${environment.filter((v) => v.startsWith('GLIBC')).join(' ') || 'no GLIBC_TUNABLES'}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.is(health.status, 200);
  } finally {
    if (server > 0) process.kill(server, 'SIGTERM');
    else shell.kill('SIGKILL');
    await shellExited;
    rmSync(data, { recursive: true, force: true });
  }
});

test('npm start, serve and worker set the same tunable in front of plain Node', () => {
  for (const name of ['start', 'serve', 'worker']) {
    assert.match(scripts[name], new RegExp(`^GLIBC_TUNABLES=${HUGE_PAGES.replaceAll('.', '\\.')} node dist/runtimes/node/\\w+\\.js$`), name);
  }
});

test('the image runs its server with the same tunable', () => {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  assert.is(envOf(stages[stages.length - 1]).GLIBC_TUNABLES, HUGE_PAGES);
});

test.run();
