// The ways audo-eq's server and queue worker are started — the npm scripts
// and the image — give glibc's malloc transparent huge pages (README "Set
// up": on the VMs we measure on, mapping a fresh page costs ~10 µs, and a job
// maps hundreds of megabytes). `npm start` is checked as a running process
// started the way npm starts it (its script through sh), its server's
// environment read back from the kernel; the scripts and the image as npm and
// the image builder read them. The `audo-eq` command's launcher sets it too
// (a file that is both a shell script and a module, bin/audo-eq.mjs says
// why): checked on a copy of the launcher beside a stand-in for the built CLI
// that reports its environment, process id and arguments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envOf, parseDockerfile } from '../support/dockerfile.ts';
import { repoRoot, startProcess } from '../support/processes.ts';

const HUGE_PAGES = 'glibc.malloc.hugetlb=1';
// The command, a process that exits after one master, also keeps what it frees for its next allocations, in one arena for its threads.
const COMMAND_TUNABLES = `${HUGE_PAGES}:glibc.malloc.mmap_threshold=16777216:glibc.malloc.trim_threshold=134217728:glibc.malloc.top_pad=33554432:glibc.malloc.arena_max=1`;
const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

test('npm start, its script run by sh as npm runs it, gives the server malloc on huge pages, and the server answers', async () => {
  const data = mkdtempSync(join(tmpdir(), 'audo-eq-huge-pages-'));
  const shell = await startProcess(
    'sh',
    ['-c', scripts.start],
    { API_HOST: '127.0.0.1', API_PORT: '0', AUDO_EQ_DATA_DIR: data, AUDO_EQ_LOG_FORMAT: 'json', GLIBC_TUNABLES: '' },
    /"message":"audo-eq listening"[^\n]*"port":(\d+)/,
  );
  // A shell that forks runs the command as its one child; one that execs it is the server itself.
  const shellPid = shell.process.pid!;
  const server = Number(readFileSync(`/proc/${shellPid}/task/${shellPid}/children`, 'utf8').trim().split(/\s+/)[0]) || shellPid;
  try {
    const environment = readFileSync(`/proc/${server}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes(`GLIBC_TUNABLES=${HUGE_PAGES}`), `the server's environment: ${environment.filter((v) => v.startsWith('GLIBC')).join(' ') || 'no GLIBC_TUNABLES'}`);
    const health = await fetch(`http://127.0.0.1:${shell.ready}/health`);
    assert.is(health.status, 200);
  } finally {
    // The server's own SIGTERM (a shell does not pass its own on); the shell ends with it.
    process.kill(server, 'SIGTERM');
    await shell.stop();
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

/** A copy of the launcher in a fresh folder whose dist/cli/audo-eq.js reports what it was started with. */
function launcherCopy(): { dir: string; launcher: string } {
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-launcher-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist/cli'), { recursive: true });
  const launcher = join(dir, 'bin/audo-eq.mjs');
  copyFileSync(join(repoRoot, 'bin/audo-eq.mjs'), launcher);
  chmodSync(launcher, 0o755);
  writeFileSync(
    join(dir, 'dist/cli/audo-eq.js'),
    'console.log(JSON.stringify({ tunables: process.env.GLIBC_TUNABLES ?? null, pid: process.pid, args: process.argv.slice(2) }));\n',
  );
  return { dir, launcher };
}

function report(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const run = spawnSync(command, args, { encoding: 'utf8', env });
  assert.is(run.status, 0, run.stderr);
  return { ...(JSON.parse(run.stdout) as { tunables: string | null; pid: number; args: string[] }), childPid: run.pid };
}

const { GLIBC_TUNABLES: _unset, ...withoutTunables } = process.env;

test('the audo-eq command, run as a command, is one Node process with malloc on huge pages and its arguments intact', () => {
  const { dir, launcher } = launcherCopy();
  try {
    const args = ['master', '-t', 'a mix.wav', '--title', `it's "live"`, '*', '$HOME'];
    const run = report(launcher, args, withoutTunables);
    assert.is(run.tunables, COMMAND_TUNABLES);
    // sh replaced itself with Node: the process started is the one that ran the CLI.
    assert.is(run.pid, run.childPid);
    assert.equal(run.args, args);
    // As npm links it: a symlink in another folder still finds the build beside the real file.
    const links = join(dir, 'node_modules/.bin');
    mkdirSync(links, { recursive: true });
    symlinkSync(launcher, join(links, 'audo-eq'));
    assert.is(report(join(links, 'audo-eq'), ['--help'], withoutTunables).tunables, COMMAND_TUNABLES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command keeps a GLIBC_TUNABLES its user set (even empty), and node on the file starts the CLI with the environment as it is', () => {
  const { dir, launcher } = launcherCopy();
  try {
    assert.is(report(launcher, [], { ...withoutTunables, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).tunables, 'glibc.malloc.arena_max=2');
    assert.is(report(launcher, [], { ...withoutTunables, GLIBC_TUNABLES: '' }).tunables, '');
    const direct = report(process.execPath, [launcher, 'analyze', 'x.wav'], withoutTunables);
    assert.is(direct.tunables, null);
    assert.equal(direct.args, ['analyze', 'x.wav']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
