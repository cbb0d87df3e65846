// `--target-pattern GLOB`: a small matcher over `node:fs` (Node 20 has no
// `fs.glob`, and one flag does not justify a dependency). `*` matches any run
// of characters within a path segment, `?` one character, `**` a whole
// segment any number of times (zero included); `\` makes the next character
// literal. As in shells, `*` and `?` do not match a leading dot, and `**`
// does not enter hidden folders or follow symlinked ones (no cycles).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

type Segment = { readonly kind: 'literal'; readonly name: string } | { readonly kind: 'any-depth' } | { readonly kind: 'pattern'; readonly regex: RegExp };

/** True when `text` holds an unescaped `*` or `?`. */
function hasWildcard(text: string): boolean {
  return /(^|[^\\])(\\\\)*[*?]/.test(text);
}

const unescape = (text: string) => text.replace(/\\(.)/g, '$1');

/** Compiles one path segment (no `/`) to a RegExp anchored at both ends. */
function compileSegment(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    if (char === '\\' && i + 1 < segment.length) source += segment[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  // A wildcard at the start must not match a hidden file's leading dot.
  const hiddenGuard = segment.startsWith('*') || segment.startsWith('?') ? '(?!\\.)' : '';
  return new RegExp(`^${hiddenGuard}${source}$`);
}

/**
 * Splits a pattern into the folder to start from (its leading segments without
 * wildcards) and the segments to match below it.
 *
 * @example splitGlob('music/**\/*.wav') // { base: 'music', segments: [any-depth, /^(?!\.)[^/]*\.wav$/] }
 */
export function splitGlob(pattern: string): { base: string; segments: Segment[] } {
  const parts = pattern.split('/');
  const absolute = parts[0] === '';
  const baseParts: string[] = [];
  let i = absolute ? 1 : 0;
  while (i < parts.length - 1 && !hasWildcard(parts[i]) && parts[i] !== '**') baseParts.push(unescape(parts[i++]));
  const base = absolute ? `/${baseParts.join('/')}` : baseParts.join('/') || '.';
  const segments: Segment[] = parts
    .slice(i)
    .filter((part, index, all) => part !== '' || index === all.length - 1)
    .map((part): Segment => {
      if (part === '**') return { kind: 'any-depth' };
      if (hasWildcard(part)) return { kind: 'pattern', regex: compileSegment(part) };
      return { kind: 'literal', name: unescape(part) };
    });
  return { base, segments };
}

interface DirectoryEntry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly isFile: boolean;
  readonly isSymlink: boolean;
}

/** The folder's entries with symlinks resolved to what they point at; an unreadable folder has none. */
async function listDirectory(dir: string): Promise<DirectoryEntry[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return Promise.all(
    entries.map(async (entry) => {
      if (!entry.isSymbolicLink()) return { name: entry.name, isDirectory: entry.isDirectory(), isFile: entry.isFile(), isSymlink: false };
      const target = await stat(join(dir, entry.name)).catch(() => undefined);
      return { name: entry.name, isDirectory: target?.isDirectory() ?? false, isFile: target?.isFile() ?? false, isSymlink: true };
    }),
  );
}

async function matchFrom(dir: string, segments: readonly Segment[], found: Set<string>): Promise<void> {
  const [segment, ...rest] = segments;
  const last = rest.length === 0;
  if (segment.kind === 'any-depth') {
    if (!last) await matchFrom(dir, rest, found);
    for (const entry of await listDirectory(dir)) {
      if (entry.isDirectory && !entry.isSymlink && !entry.name.startsWith('.')) await matchFrom(join(dir, entry.name), segments, found);
      // A trailing `**` matches the files at any depth.
      else if (last && entry.isFile && !entry.name.startsWith('.')) found.add(join(dir, entry.name));
    }
    return;
  }
  if (segment.kind === 'literal') {
    const path = join(dir, segment.name);
    const info = await stat(path).catch(() => undefined);
    if (last ? info?.isFile() : info?.isDirectory()) {
      if (last) found.add(path);
      else await matchFrom(path, rest, found);
    }
    return;
  }
  for (const entry of await listDirectory(dir)) {
    if (!segment.regex.test(entry.name)) continue;
    if (last && entry.isFile) found.add(join(dir, entry.name));
    else if (!last && entry.isDirectory) await matchFrom(join(dir, entry.name), rest, found);
  }
}

/**
 * The regular files matching `pattern`, sorted by path (code-point order, so
 * the order is the same on every machine). Paths keep the pattern's form:
 * relative patterns give paths relative to the working directory.
 *
 * @example await globFiles('album/*.flac') // ['album/01 intro.flac', 'album/02 song.flac']
 */
export async function globFiles(pattern: string): Promise<string[]> {
  const { base, segments } = splitGlob(pattern);
  const found = new Set<string>();
  if (segments.length > 0) await matchFrom(base, segments, found);
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
