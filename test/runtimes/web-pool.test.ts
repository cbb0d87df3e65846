// The Web Worker pool for real, under Deno and Bun: a job gives the pipeline's
// events, a bad upload comes back with its product code, and a worker that
// dies (an uncaught error; in Bun also process.exit) fails only its job and
// is replaced — the process itself survives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bunBinary, denoBinary, repoRoot } from '../support/processes.ts';
import { requireTool } from '../support/tools.ts';

const CHECK = 'test/runtimes/workers/web-pool-check.ts';
const PIPELINE = ['IngestValidated', 'TrackAnalyzed', 'TrackAnalyzed', 'MasteringDecided', 'MasteringRendered'];

interface Outcome {
  ok: boolean;
  events?: string[];
  product?: boolean;
  code?: string | null;
  message?: string;
}

function runCheck(binary: string, args: string[]): Record<string, Outcome> {
  const run = spawnSync(binary, args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.is(run.status, 0, run.stderr);
  const line = run.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, Outcome>;
}

function assertPoolBehaves(report: Record<string, Outcome>, markers: string[]) {
  assert.equal([report.good.ok, report.good.events], [true, PIPELINE]);
  assert.equal([report.bad.ok, report.bad.product, report.bad.code], [false, true, 'unsupported_container']);
  for (const marker of markers) {
    const died = report[marker];
    assert.equal([died.ok, died.product], [false, false], `${marker}: an unexpected failure (500), not a product error`);
    assert.match(died.message!, /mastering worker died while running the job/);
    assert.equal([report[`after${marker}`].ok, report[`after${marker}`].events], [true, PIPELINE], `a replacement serves the job after ${marker}`);
  }
}

const runtimes = [
  { name: 'Deno', binary: denoBinary, args: ['run', '-A', CHECK], markers: ['CRASH'] },
  { name: 'Bun', binary: bunBinary, args: [CHECK, '--exit'], markers: ['CRASH', 'EXIT'] },
];

for (const runtime of runtimes) {
  if (!requireTool(runtime.name.toLowerCase(), existsSync(runtime.binary), `${runtime.name} Web Worker pool`)) continue;
  test(`under ${runtime.name}, the Web Worker pool masters, rebuilds product errors and replaces a dead worker`, () => {
    assertPoolBehaves(runCheck(runtime.binary, runtime.args), runtime.markers);
  });
}

test.run();
