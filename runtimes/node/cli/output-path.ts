// Rules for where mastered audio may be written, shared by `master` and
// `batch-master`: the output is always a WAV file, so its name must say so,
// and it must never be one of the inputs (not even through a symlink or a
// hard link, hence the identity by device and inode when the file exists).
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { UsageError } from './args.ts';

/**
 * A key that is equal for two paths naming the same file: `dev:ino` when the
 * file exists, otherwise its absolute path.
 *
 * @example (await fileIdentity('a.wav')) === (await fileIdentity('./link-to-a.wav')) // true
 */
export async function fileIdentity(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `inode:${info.dev}:${info.ino}`;
  } catch {
    return `path:${resolve(path)}`;
  }
}

/**
 * Why `path` cannot be an output name, or undefined when it can: it must end
 * in `.wav` (any case) and must not name an existing directory.
 *
 * @example outputNameProblem('out.mp3') // "must end in .wav (the output is always a WAV file)"
 */
export async function outputNameProblem(path: string): Promise<string | undefined> {
  if (extname(path).toLowerCase() !== '.wav') return 'must end in .wav (the output is always a WAV file)';
  const isDirectory = await stat(path).then((info) => info.isDirectory(), () => false);
  return isDirectory ? 'is a directory' : undefined;
}

/**
 * Throws `UsageError` when `output` is not a usable output name or names the
 * same file as one of `inputs` (overwriting an input is refused).
 *
 * @example await checkOutputPath('mastered.wav', { target: 'mix.wav', reference: 'ref.wav' });
 */
export async function checkOutputPath(output: string, inputs: Readonly<Record<string, string>>): Promise<void> {
  const problem = await outputNameProblem(output);
  if (problem) throw new UsageError(`output ${output} ${problem}`);
  const outputIdentity = await fileIdentity(output);
  for (const [role, input] of Object.entries(inputs)) {
    if ((await fileIdentity(input)) === outputIdentity) {
      throw new UsageError(`output ${output} is the ${role} itself; refusing to overwrite an input`);
    }
  }
}
