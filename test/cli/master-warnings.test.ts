// Warnings and the silent-reference refusal on the command line, run as real
// processes on audio generated at test time: `master` prints one stderr line
// per warning (exit 0), `batch-master` lists the codes on the item's line, a
// silent reference without a loudness goal fails with silent_reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWarningMaterial, type WarningMaterial } from '../support/warning-material.ts';
import { parseItemLines, runCli, scratchDir } from './workspace.ts';

const scratch = scratchDir('master-warnings');
let material: WarningMaterial;

test.before(async () => {
  material = await buildWarningMaterial();
  const files: Record<string, Uint8Array> = {
    'clean.wav': material.cleanTarget,
    'reference.wav': material.cleanReference,
    'clipped.wav': material.clippedTarget,
    'dynamic-mono.wav': material.dynamicMonoTarget,
    'silence.wav': material.silence,
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(scratch.dir, name), bytes);
});
test.after(() => scratch.remove());

const master = (...args: string[]) => runCli(['master', ...args], scratch.dir);

test('master prints each warning as one stderr line and exits 0; clean material prints none', () => {
  const warned = master('-t', 'dynamic-mono.wav', '-r', 'reference.wav', '-o', 'warned.wav', '--target-lufs', '-5');
  assert.is(warned.status, 0, warned.stderr);
  const lines = warned.stderr.trimEnd().split('\n');
  assert.equal(
    lines.map((line) => /^audo-eq master: warning: ([a-z_]+): \S.*$/.exec(line)?.[1]),
    ['loudness_goal_not_reached', 'mono_target_stereo_reference'],
    warned.stderr,
  );
  assert.match(lines[0], /LU short of the -5 LUFS goal/);
  assert.ok(existsSync(join(scratch.dir, 'warned.wav')));

  const clean = master('-t', 'clean.wav', '-r', 'reference.wav', '-o', 'clean-out.wav');
  assert.is(clean.status, 0, clean.stderr);
  assert.is(clean.stderr, '');
});

test('master with a silent reference fails with silent_reference naming the file, and writes nothing; --target-lufs masters with a warning', () => {
  const refused = master('-t', 'clean.wav', '-r', 'silence.wav', '-o', 'refused.wav');
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /^audo-eq master: silent_reference: reference silence\.wav: The reference is silent .*\(correlation_id=[0-9a-f-]{36}\)\n$/);
  assert.not.ok(existsSync(join(scratch.dir, 'refused.wav')));

  const goal = master('-t', 'clean.wav', '-r', 'silence.wav', '-o', 'goal.wav', '--target-lufs', '-16');
  assert.is(goal.status, 0, goal.stderr);
  assert.match(goal.stderr, /^audo-eq master: warning: silent_reference: /);
});

test('batch-master lists the warnings on each item line and fails the item with a silent reference', () => {
  writeFileSync(
    join(scratch.dir, 'manifest.csv'),
    ['target,reference,output', 'clipped.wav,reference.wav,batch/clipped.wav', 'clean.wav,reference.wav,batch/clean.wav', 'clean.wav,silence.wav,batch/silent-ref.wav', ''].join('\n'),
  );
  const { status, stdout, stderr } = runCli(['batch-master', '--manifest', 'manifest.csv', '--concurrency-limit', '1'], scratch.dir);
  assert.is(status, 1, stderr);
  const { ok, failed } = parseItemLines(stdout);
  assert.equal(
    ok.map((item) => [item.output, item.warnings]),
    [
      ['batch/clipped.wav', ['target_clipped']],
      ['batch/clean.wav', []],
    ],
    stdout,
  );
  assert.match(stdout, /^\[OK\] clipped\.wav -> batch\/clipped\.wav \[warnings: target_clipped\] \(correlation_id=/m);
  assert.equal(failed.map((item) => [item.target, item.code]), [['clean.wav', 'silent_reference']]);
  assert.match(failed[0].message, /^reference silence\.wav: /);
});

test.run();
