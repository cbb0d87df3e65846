/**
 * Building blocks for the matching pair set: each audio file is made once by
 * a command (ffmpeg, sox, a generator script) into a temporary name and
 * renamed when complete, so an interrupted build never leaves a half file
 * that a later run would take as done.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, extname } from 'node:path';

/** Runs a command; throws with the tail of its stderr when it fails. */
export function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr?.toString().slice(-1500)}`);
}

/**
 * Makes `path` by calling `build(partialPath)` unless it exists already.
 *
 * @example made('/x/narrow.wav', (out) => ffmpegFilter(source, 'stereotools=slev=0.25', out));
 */
export function made(path: string, build: (partialPath: string) => void): string {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path.slice(0, -extname(path).length)}.partial${extname(path)}`;
  rmSync(partial, { force: true });
  build(partial);
  renameSync(partial, path);
  return path;
}

/** An excerpt of any file ffmpeg reads, through an optional filter chain, as 24-bit WAV at the source's rate. */
export function ffmpegToWav(source: string, out: string, options: { startSeconds?: number; seconds?: number; filter?: string; float?: boolean } = {}): void {
  const args = ['-hide_banner', '-nostats', '-nostdin', '-y'];
  if (options.startSeconds !== undefined) args.push('-ss', String(options.startSeconds));
  if (options.seconds !== undefined) args.push('-t', String(options.seconds));
  args.push('-i', source);
  if (options.filter) args.push('-af', options.filter);
  args.push('-c:a', options.float ? 'pcm_f32le' : 'pcm_s24le', '-map_metadata', '-1', out);
  run('ffmpeg', args);
}

/** sox INPUT OUTPUT EFFECTS… (24-bit output; -R: the same dither every run, so builds repeat). */
export function soxEffects(source: string, out: string, effects: string[]): void {
  run('sox', ['-R', '-q', '-V1', source, '-b', '24', out, ...effects]);
}
