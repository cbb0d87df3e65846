// Several references over real HTTP against the Node server process (its
// worker pool decodes every reference in a worker thread): `reference` may be
// sent up to 5 times, the master does not depend on their order and differs
// from a master against one of them; a sixth is `too_many_references`, and an
// ingest error about one of several names its place in the list.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureHead, fixturePath } from '../support/fixtures.ts';
import { readWavInfo } from '../support/http-client.ts';
import { nodeServerCommand, startServer, type RunningServer } from '../support/processes.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'audo-eq-multi-reference-'));
let server: RunningServer;

const excerpt = (path: string, seconds = 4) => fixtureHead(path, seconds);
const TARGET = excerpt('indie_pop/target.wav');
const INDIE = excerpt('indie_pop/reference.wav');
const SYNTHWAVE = excerpt('synthwave_48k_24bit/reference.wav');
const SPEECH = excerpt('speech_mono_target/reference.wav');
const QUERY = '?eq_mode=reference-match&bit_depth=16';

test.before(async () => {
  const [command, args] = nodeServerCommand();
  server = await startServer(command, args, { AUDO_EQ_STORAGE_BACKEND: 'filesystem', AUDO_EQ_DATA_DIR: dataDir, AUDO_EQ_WORKERS: '1' });
});
test.after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** POST /master with one target and the references in the order given. */
async function masterWith(references: readonly Uint8Array[], query = QUERY): Promise<Response> {
  const form = new FormData();
  form.append('target', new Blob([TARGET as Uint8Array<ArrayBuffer>]), 'target.wav');
  references.forEach((bytes, i) => form.append('reference', new Blob([bytes as Uint8Array<ArrayBuffer>]), `reference-${i + 1}.wav`));
  return fetch(`${server.baseUrl}/master${query}`, { method: 'POST', body: form });
}

async function wavOf(response: Response): Promise<{ wav: Uint8Array; diagnostics: Record<string, any> }> {
  const body = new Uint8Array(await response.arrayBuffer());
  assert.is(response.status, 200, new TextDecoder().decode(body.subarray(0, 300)));
  return { wav: body, diagnostics: JSON.parse(response.headers.get('x-mastering-diagnostics') ?? '{}') };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

test('two references give one master whatever their order, different from a master against either one alone', async () => {
  const both = await wavOf(await masterWith([INDIE, SYNTHWAVE]));
  const swapped = await wavOf(await masterWith([SYNTHWAVE, INDIE]));
  const indieOnly = await wavOf(await masterWith([INDIE]));
  const synthOnly = await wavOf(await masterWith([SYNTHWAVE]));
  assert.ok(sameBytes(both.wav, swapped.wav), 'the order of the references changed the master');
  assert.ok(!sameBytes(both.wav, indieOnly.wav) && !sameBytes(both.wav, synthOnly.wav), 'the second reference was ignored');
  assert.is(both.diagnostics.references, 2);
  assert.is(indieOnly.diagnostics.references, 1);
  assert.equal(readWavInfo(both.wav).frames, readWavInfo(indieOnly.wav).frames);
  // The combined goal lies between the two references' own loudness.
  const [low, high] = [indieOnly.diagnostics.reference_lufs, synthOnly.diagnostics.reference_lufs].sort((a: number, b: number) => a - b);
  assert.ok(both.diagnostics.reference_lufs >= low - 0.01 && both.diagnostics.reference_lufs <= high + 0.01, `${both.diagnostics.reference_lufs} not in [${low}, ${high}]`);
});

test('five references are accepted; a sixth is 400 too_many_references, and nothing is stored', async () => {
  const five = await wavOf(await masterWith([INDIE, SYNTHWAVE, SPEECH, INDIE, SYNTHWAVE], `${QUERY}&preview=true`));
  assert.is(five.diagnostics.references, 5);
  const six = await masterWith([INDIE, SYNTHWAVE, SPEECH, INDIE, SYNTHWAVE, SPEECH]);
  assert.is(six.status, 400);
  const { detail } = await six.json();
  assert.is(detail.code, 'too_many_references');
  assert.is(detail.part, 'reference');
  assert.is(detail.max_count, 5);
  assert.ok(six.headers.get('x-correlation-id'));
});

test('a corrupt or empty reference among several names the part and its place in the list', async () => {
  const corrupt = await masterWith([INDIE, new Uint8Array(readFileSync(fixturePath('malformed/truncated.wav')))]);
  assert.is(corrupt.status, 400);
  const corruptDetail = (await corrupt.json()).detail;
  assert.is(corruptDetail.code, 'corrupted_file');
  assert.is(corruptDetail.part, 'reference');
  assert.is(corruptDetail.reference_index, 2);
  const empty = await masterWith([new Uint8Array(0), INDIE]);
  assert.is(empty.status, 400);
  const emptyDetail = (await empty.json()).detail;
  assert.is(emptyDetail.code, 'empty_file');
  assert.is(emptyDetail.reference_index, 1);
  // One reference keeps the single-reference answer: no index.
  const single = await masterWith([new Uint8Array(readFileSync(fixturePath('malformed/truncated.wav')))]);
  const singleDetail = (await single.json()).detail;
  assert.is(singleDetail.part, 'reference');
  assert.is(singleDetail.reference_index, undefined);
});

test.run();
