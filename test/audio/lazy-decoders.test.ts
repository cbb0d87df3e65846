// The FLAC and MP3 decoder packages load on the first FLAC or MP3 decode, not
// with the module graph: a process that reads only WAV (the command line on
// WAV files and its threads) does not parse their ~260 KB at start-up. A
// child process records, through a module resolve hook, when any of the
// decoders' modules is resolved, between markers it writes itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixturePath } from '../support/fixtures.ts';
import { repoRoot } from '../support/processes.ts';

const HOOKS = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/mpg123-decoder|@wasm-audio-decoders|codec-parser/.test(result.url)) appendFileSync(log, 'loaded ' + specifier + '\\n');
  return result;
}
`;

const REGISTER = `
import { register } from 'node:module';
register(new URL('./hooks.mjs', import.meta.url), { data: { log: process.env.LOAD_LOG } });
`;

const CHILD = `
import { appendFileSync, readFileSync } from 'node:fs';
const log = process.env.LOAD_LOG;
const api = await import(process.env.PUBLIC_API);
appendFileSync(log, 'public API imported\\n');
const wav = await api.decodeAudio(new Uint8Array(readFileSync(process.env.WAV)), { filename: 'target.wav' });
appendFileSync(log, 'wav decoded ' + wav.container + '\\n');
const flac = await api.decodeAudio(new Uint8Array(readFileSync(process.env.FLAC)), { filename: 'target.flac' });
appendFileSync(log, 'flac decoded ' + flac.container + '\\n');
`;

test('importing the public API and decoding a WAV loads no decoder package; the first FLAC decode does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-decoders-'));
  try {
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'register.mjs'), REGISTER);
    writeFileSync(join(dir, 'child.mjs'), CHILD);
    const log = join(dir, 'load.log');
    writeFileSync(log, '');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'child.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        LOAD_LOG: log,
        PUBLIC_API: pathToFileURL(join(repoRoot, 'mod.ts')).href,
        WAV: fixturePath('indie_pop/target.wav'),
        FLAC: fixturePath('indie_pop/target.flac'),
      },
    });
    assert.is(result.status, 0, `child failed: ${result.stderr}`);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const wavDecoded = lines.indexOf('wav decoded wav');
    const flacDecoded = lines.indexOf('flac decoded flac');
    assert.ok(wavDecoded > 0 && flacDecoded > wavDecoded, `markers in order: ${lines.join(' | ')}`);
    assert.equal(lines.slice(0, wavDecoded), ['public API imported'], 'nothing of the decoders before the WAV was decoded');
    const between = lines.slice(wavDecoded + 1, flacDecoded);
    assert.ok(between.length > 0 && between.every((line) => line.startsWith('loaded ')), `the FLAC decode loaded the decoder: ${between.join(' | ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
