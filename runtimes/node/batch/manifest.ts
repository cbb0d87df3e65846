// Batch manifests (SPEC section 10): CSV with a header row naming the columns
// `target`, `reference`, `output` (any order; only `target` required), or a
// JSON array of `{ target, reference?, output? }`. Relative paths are relative
// to the manifest's own folder, so a manifest travels with its audio.
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { UsageError } from '../commands/cli-args.ts';
import { CsvSyntaxError, parseCsv } from './csv.ts';

/** One manifest entry with paths resolved; `where` names it in messages (`line 4`, `entry 3`). */
export interface ManifestEntry {
  readonly where: string;
  readonly target: string;
  readonly reference?: string;
  readonly output?: string;
}

const COLUMNS = ['target', 'reference', 'output'] as const;
type Column = (typeof COLUMNS)[number];

const isColumn = (name: string): name is Column => (COLUMNS as readonly string[]).includes(name);

/** Builds an entry, resolving each given path against `baseDir`; empty values count as absent. */
function entry(where: string, values: Partial<Record<Column, string>>, baseDir: string): ManifestEntry {
  const path = (value: string | undefined) => (value === undefined || value === '' ? undefined : isAbsolute(value) ? value : join(baseDir, value));
  const target = path(values.target);
  if (target === undefined) throw new UsageError(`manifest ${where}: no target`);
  const reference = path(values.reference);
  const output = path(values.output);
  return { where, target, ...(reference !== undefined ? { reference } : {}), ...(output !== undefined ? { output } : {}) };
}

/**
 * Reads CSV manifest text. Throws `UsageError` for a missing or unknown
 * column, a repeated column, a row with more fields than the header or a CSV
 * syntax error.
 *
 * @example parseCsvManifest('target,reference\nsong.wav,ref.wav\n', '/music') // [{ where: 'line 2', target: '/music/song.wav', reference: '/music/ref.wav' }]
 */
export function parseCsvManifest(text: string, baseDir: string): ManifestEntry[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new UsageError(`manifest ${error.message}`);
    throw error;
  }
  if (records.length === 0) throw new UsageError('manifest is empty (expected a header row: target,reference,output)');
  const [header, ...rows] = records;
  const columns = header.fields.map((name) => name.trim().toLowerCase());
  for (const name of columns) {
    if (!isColumn(name)) throw new UsageError(`manifest header has an unknown column '${name}' (columns: ${COLUMNS.join(', ')})`);
  }
  if (new Set(columns).size !== columns.length) throw new UsageError('manifest header names a column twice');
  if (!columns.includes('target')) throw new UsageError(`manifest header has no 'target' column (columns: ${COLUMNS.join(', ')})`);
  return rows.map((row) => {
    if (row.fields.length > columns.length) {
      throw new UsageError(`manifest line ${row.line}: ${row.fields.length} fields but the header has ${columns.length}`);
    }
    const values: Partial<Record<Column, string>> = {};
    columns.forEach((name, i) => {
      values[name as Column] = row.fields[i];
    });
    return entry(`line ${row.line}`, values, baseDir);
  });
}

/**
 * Reads JSON manifest text: an array of objects with string fields `target`
 * (required), `reference` and `output`. Throws `UsageError` for anything else,
 * including unknown keys (a misspelt `refrence` would otherwise be ignored).
 *
 * @example parseJsonManifest('[{"target":"a.flac","output":"out/a.wav"}]', '/music') // [{ where: 'entry 1', target: '/music/a.flac', output: '/music/out/a.wav' }]
 */
export function parseJsonManifest(text: string, baseDir: string): ManifestEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`manifest is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!Array.isArray(data)) throw new UsageError('manifest JSON must be an array of { target, reference?, output? }');
  return data.map((item: unknown, i) => {
    const where = `entry ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new UsageError(`manifest ${where}: not an object`);
    const values: Partial<Record<Column, string>> = {};
    for (const [key, value] of Object.entries(item)) {
      if (!isColumn(key)) throw new UsageError(`manifest ${where}: unknown key '${key}' (keys: ${COLUMNS.join(', ')})`);
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string') throw new UsageError(`manifest ${where}: '${key}' must be a string path`);
      values[key] = value;
    }
    return entry(where, values, baseDir);
  });
}

/**
 * Reads a manifest file, JSON when its name ends in `.json` or its text starts
 * with `[`, CSV otherwise. Throws `UsageError` when it cannot be read or parsed.
 *
 * @example const entries = await readManifest('album/manifest.csv');
 */
export async function readManifest(path: string): Promise<ManifestEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    throw new UsageError(errno === 'ENOENT' ? `no such manifest: ${path}` : `cannot read manifest ${path} (${errno ?? String(error)})`);
  }
  // Relative to the manifest's folder as the user named it, so printed paths stay short and familiar.
  const baseDir = dirname(path);
  const isJson = extname(path).toLowerCase() === '.json' || text.replace(/^\uFEFF/, '').trimStart().startsWith('[');
  return isJson ? parseJsonManifest(text.replace(/^\uFEFF/, ''), baseDir) : parseCsvManifest(text, baseDir);
}
