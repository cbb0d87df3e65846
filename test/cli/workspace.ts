// Helpers for the CLI tests: run `bin/audo-eq.mjs` as a real process, and
// build a scratch folder of short audio cut from the fixtures with ffmpeg
// (4 s keeps a six-item batch to a few seconds on two shared cores).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixturePath } from '../support/fixtures.ts';
import { repoRoot } from '../support/processes.ts';

// FORCE_COLOR next to NO_COLOR makes Node print a warning line on stderr; the CLI's own lines are what is tested.
const { FORCE_COLOR: _ignored, ...childEnv } = process.env;

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `audo-eq <args>` to completion in `cwd` with `env` added to this
 * process's environment (stdout and stderr are pipes, so not a TTY).
 *
 * @example const { status, stdout } = runCli(['master', '-t', 'a.wav', '-r', 'b.wav', '-o', 'c.wav'], dir);
 */
export function runCli(args: readonly string[], cwd: string = repoRoot, env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/audo-eq.mjs'), ...args], {
    cwd,
    env: { ...childEnv, NO_COLOR: '1', ...env },
    // A hang guard, not a speed goal: a 10-minute master on two busy shared cores takes minutes.
    timeout: 900_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** Cuts the first `seconds` of a fixture into `destination`, re-encoding to the destination's format. */
export function cutFixture(fixture: string, destination: string, seconds = 4): void {
  mkdirSync(dirname(destination), { recursive: true });
  const codec = destination.endsWith('.mp3') ? ['-c:a', 'copy'] : destination.endsWith('.flac') ? ['-c:a', 'flac'] : ['-c:a', 'pcm_s16le'];
  const result = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', fixturePath(fixture), '-t', String(seconds), ...codec, destination]);
  if (result.status !== 0) throw new Error(`ffmpeg could not cut ${fixture}: ${result.stderr}`);
}

/** A fresh temporary folder and its remover. */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `audo-eq-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Parses `[OK] T -> O [warnings: A, B] (correlation_id=ID)` (warnings optional) and `[FAILED] T: CODE: MESSAGE (correlation_id=ID)` lines. */
export function parseItemLines(stdout: string): {
  ok: Array<{ target: string; output: string; warnings: string[]; correlationId: string }>;
  failed: Array<{ target: string; code: string; message: string; correlationId: string }>;
} {
  const ok = [];
  const failed = [];
  for (const line of stdout.split('\n')) {
    const okMatch = /^\[OK\] (.+) -> (.+?)(?: \[warnings: ([a-z_, ]+)\])? \(correlation_id=([^)]+)\)$/.exec(line);
    if (okMatch) ok.push({ target: okMatch[1], output: okMatch[2], warnings: okMatch[3] ? okMatch[3].split(', ') : [], correlationId: okMatch[4] });
    const failedMatch = /^\[FAILED\] (.+?): ([a-z_]+): (.+) \(correlation_id=([^)]+)\)$/.exec(line);
    if (failedMatch) failed.push({ target: failedMatch[1], code: failedMatch[2], message: failedMatch[3], correlationId: failedMatch[4] });
  }
  return { ok, failed };
}
