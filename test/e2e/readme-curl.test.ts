// The README's curl example for POST /master, run as written (bash, curl)
// against a real server: it writes the mastered WAV on success and, thanks to
// --fail-with-body, exits 22 with the JSON error body kept on a refusal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixtureHead } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';
import { nodeServerCommand, repoRoot, startServer, type RunningServer } from '../support/processes.ts';
import { hasTool, requireTool } from '../support/tools.ts';

// Asynchronous: the server's output is read by this process while curl waits.
const run = promisify(execFile);
const README = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The README's first bash block that POSTs to /master with curl, as one shell command. */
function readmeMasterCommand(): string {
  const blocks = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]);
  const block = blocks.find((text) => /^curl [^\n]*\/master/m.test(text));
  assert.ok(block, 'the README shows a curl command for /master');
  return block!.trim();
}

test('every curl command in the README keeps error bodies (--fail-with-body, never -f)', () => {
  const commands = README.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('curl '));
  assert.ok(commands.length >= 3, `${commands.length} curl commands`);
  for (const command of commands) {
    assert.ok(command.includes('--fail-with-body'), command);
    assert.not.match(command, /\s-[a-zA-Z]*f[a-zA-Z]*\s/, `${command}: -f throws the error body away`);
  }
});

if (requireTool('curl', hasTool('curl', ['--version']), "the README's curl example")) {
  let server: RunningServer;
  let dir: string;
  test.before(async () => {
    const [command, args] = nodeServerCommand();
    server = await startServer(command, args, { AUDO_EQ_STORAGE_ENABLED: 'false' });
    dir = mkdtempSync(join(tmpdir(), 'audo-eq-readme-curl-'));
  });
  test.after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the README's command in `dir` against the test server; resolves with curl's exit code. */
  async function runReadmeCommand(): Promise<number> {
    const command = readmeMasterCommand().replaceAll('http://127.0.0.1:8000', server.baseUrl);
    return run('bash', ['-c', command], { cwd: dir }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
  }

  test('as written, it writes the mastered WAV and the headers', async () => {
    // Two seconds each: the command is the subject, not the mastering.
    writeFileSync(join(dir, 'target.wav'), fixtureHead('indie_pop/target.wav', 2));
    writeFileSync(join(dir, 'reference.wav'), fixtureHead('indie_pop/reference.wav', 2));
    assert.is(await runReadmeCommand(), 0);
    assert.is(readWavInfo(new Uint8Array(readFileSync(join(dir, 'mastered.wav')))).sampleRateHz, 44100);
    assert.match(readFileSync(join(dir, 'headers.txt'), 'utf8'), /^HTTP\/1\.1 200/);
  });

  test('on a refused upload it exits 22 and keeps the JSON error body', async () => {
    writeFileSync(join(dir, 'reference.wav'), 'this is text, not audio\n'.repeat(100));
    assert.is(await runReadmeCommand(), 22);
    const body = JSON.parse(readFileSync(join(dir, 'mastered.wav'), 'utf8'));
    assert.type(body.detail.code, 'string');
    assert.type(body.detail.message, 'string');
    assert.match(readFileSync(join(dir, 'headers.txt'), 'utf8'), /^HTTP\/1\.1 4\d\d/);
  });
}

test.run();
