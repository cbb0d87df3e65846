// `--target-pattern GLOB` through the `glob` package (bash-like patterns:
// `*`, `?`, `[…]`, `{a,b}`, `**`; `\` makes the next character literal). As in
// bash, wildcards do not match a leading dot, and `**` does not crawl
// symlinked folders (no cycles), though a named or `*`-matched one is entered.
import { stat } from 'node:fs/promises';
import { glob } from 'glob';

/** True when `path` is a regular file, a symlink to one included. */
const isRegularFile = (path: string) => stat(path).then((info) => info.isFile(), () => false);

/**
 * The regular files matching `pattern`, sorted by path (code-point order, so
 * the order is the same on every machine). Paths keep the pattern's form:
 * relative patterns give paths relative to the working directory.
 *
 * @example await globFiles('album/*.flac') // ['album/01 intro.flac', 'album/02 song.flac']
 */
export async function globFiles(pattern: string): Promise<string[]> {
  // `nodir` keeps symlinks to folders; the stat below keeps regular files only.
  const matches = await glob(pattern, { nodir: true, dot: false, follow: false, posix: true });
  const files = await Promise.all(matches.map(async (path) => ((await isRegularFile(path)) ? path : undefined)));
  return files.filter((path) => path !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
