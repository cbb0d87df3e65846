import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { allWatSources, generatedModuleFor, generatedPathFor } from '../../tools/build-wasm.ts';

test('core/ holds WebAssembly sources', () => {
  assert.ok(allWatSources().length >= 1);
});

test('every committed .wasm.ts module is what its .wat source assembles to', async () => {
  for (const wat of allWatSources()) {
    const committed = readFileSync(generatedPathFor(wat), 'utf8');
    assert.ok(committed === (await generatedModuleFor(wat)), `${generatedPathFor(wat)} is stale: run npm run build:wasm`);
  }
});

test.run();
