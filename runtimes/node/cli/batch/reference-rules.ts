// The four ways `batch-master` picks each item's references (SPEC section 10):
//   single             the --reference file(s) for every item
//   manifest           the manifest's reference column(s) (--reference fills empty cells)
//   match-by-basename  the file in --reference-dir with the target's stem, any supported extension
//   first-in-dir       the first supported file in --reference-dir, by name
// Problems that concern the whole batch (no such folder, an empty folder, a
// missing --reference) are usage errors found before any work starts; a
// target without a matching reference fails alone as `no_reference`.
// `--reference` may be given up to MAX_REFERENCES times: every item is then
// matched to the loudness-weighted blend of those references.
import { readdir, stat } from 'node:fs/promises';
import { extname, join, parse } from 'node:path';
import { MAX_REFERENCES } from '../../../../core/domain/limits.ts';
import { UsageError } from '../args.ts';
import { FileJobError } from '../master-files.ts';

export const REFERENCE_RULES = ['single', 'manifest', 'match-by-basename', 'first-in-dir'] as const;
export type ReferenceRule = (typeof REFERENCE_RULES)[number];

/** Supported audio extensions, in the order match-by-basename prefers them (lossless first). */
export const AUDIO_EXTENSIONS = ['.wav', '.flac', '.mp3'] as const;

export interface ReferenceSettings {
  readonly rule: ReferenceRule;
  /** `--reference` (each time it is given): the files for `single`, the fallback for `manifest`; may be empty. */
  readonly references?: readonly string[];
  /** `--reference-dir` for `match-by-basename` and `first-in-dir`. */
  readonly referenceDir?: string;
}

/** An item's references (one or more paths), or the failure that item will report. */
export type ReferenceChoice = { readonly paths: readonly string[] } | { readonly failure: FileJobError };

/** Picks one item's references; `where` names the item in a usage error. */
export type ReferenceResolver = (item: { readonly target: string; readonly references?: readonly string[]; readonly where: string }) => ReferenceChoice;

const isAudioName = (name: string) => !name.startsWith('.') && (AUDIO_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

/** The supported audio files of a folder, sorted by name; `UsageError` when it is not a readable folder. */
async function audioFilesIn(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    throw new UsageError(errno === 'ENOENT' || errno === 'ENOTDIR' ? `--reference-dir ${dir} is not a folder` : `cannot read --reference-dir ${dir} (${errno})`);
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (!isAudioName(entry.name)) continue;
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(join(dir, entry.name)).then((info) => info.isFile(), () => false)));
    if (isFile) names.push(entry.name);
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Refuses flags the rule would ignore, so a forgotten `--reference-rule` is noticed rather than guessed around. */
function checkFlags(settings: ReferenceSettings, hasManifest: boolean): void {
  const { rule, referenceDir } = settings;
  const reference = settings.references?.length ? settings.references : undefined;
  if (reference && reference.length > MAX_REFERENCES) throw new UsageError(`--reference was given ${reference.length} times; at most ${MAX_REFERENCES} references are matched`);
  const usesDir = rule === 'match-by-basename' || rule === 'first-in-dir';
  if (rule === 'single' && reference === undefined) throw new UsageError('--reference-rule single needs --reference FILE');
  if (rule === 'manifest' && !hasManifest) throw new UsageError('--reference-rule manifest needs --manifest FILE');
  if (usesDir && referenceDir === undefined) throw new UsageError(`--reference-rule ${rule} needs --reference-dir DIR`);
  if (usesDir && reference !== undefined) throw new UsageError(`--reference is not used by --reference-rule ${rule}`);
  if (!usesDir && referenceDir !== undefined) throw new UsageError(`--reference-dir is only used by --reference-rule match-by-basename or first-in-dir (rule is ${rule})`);
}

async function requireFile(flag: string, path: string): Promise<void> {
  const isFile = await stat(path).then((info) => info.isFile(), () => false);
  if (!isFile) throw new UsageError(`no such file for ${flag}: ${path}`);
}

/**
 * Validates the rule's flags (and, for the folder rules, reads the folder
 * once) and returns the per-item resolver. Throws `UsageError` when the
 * settings cannot work for any item.
 *
 * @example
 * const resolve = await createReferenceResolver({ rule: 'match-by-basename', referenceDir: 'refs' }, false);
 * resolve({ target: 'mixes/song1.wav', where: 'song1.wav' }) // { path: 'refs/song1.flac' }
 */
export async function createReferenceResolver(settings: ReferenceSettings, hasManifest: boolean): Promise<ReferenceResolver> {
  checkFlags(settings, hasManifest);
  const { rule, referenceDir } = settings;
  const references = settings.references ?? [];
  const namesReference = (item: { readonly references?: readonly string[] }) => item.references !== undefined && item.references.length > 0;
  switch (rule) {
    case 'single': {
      for (const path of references) await requireFile('--reference', path);
      return (item) => {
        if (namesReference(item)) throw new UsageError(`manifest ${item.where} names a reference, but --reference-rule is single (use --reference-rule manifest)`);
        return { paths: references };
      };
    }
    case 'manifest':
      for (const path of references) await requireFile('--reference', path);
      return (item) => {
        const paths = namesReference(item) ? item.references! : references;
        if (paths.length === 0) throw new UsageError(`manifest ${item.where} has no reference and there is no --reference to fall back on`);
        return { paths };
      };
    case 'first-in-dir': {
      const [first] = await audioFilesIn(referenceDir!);
      if (first === undefined) throw new UsageError(`--reference-dir ${referenceDir} holds no ${AUDIO_EXTENSIONS.join('/')} file`);
      return (item) => {
        if (namesReference(item)) throw new UsageError(`manifest ${item.where} names a reference, but --reference-rule is first-in-dir`);
        return { paths: [join(referenceDir!, first)] };
      };
    }
    case 'match-by-basename': {
      const byStem = new Map<string, string>();
      const rank = (name: string) => AUDIO_EXTENSIONS.indexOf(extname(name).toLowerCase() as (typeof AUDIO_EXTENSIONS)[number]);
      for (const name of await audioFilesIn(referenceDir!)) {
        const stem = parse(name).name;
        const current = byStem.get(stem);
        if (current === undefined || rank(name) < rank(current)) byStem.set(stem, name);
      }
      return (item) => {
        if (namesReference(item)) throw new UsageError(`manifest ${item.where} names a reference, but --reference-rule is match-by-basename`);
        const stem = parse(item.target).name;
        const name = byStem.get(stem);
        if (name !== undefined) return { paths: [join(referenceDir!, name)] };
        const names = AUDIO_EXTENSIONS.map((extension) => `${stem}${extension}`);
        const wanted = `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
        return { failure: new FileJobError('no_reference', 'reference', referenceDir!, `no file named ${wanted} in --reference-dir ${referenceDir}`) };
      };
    }
  }
}
