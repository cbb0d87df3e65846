// Batch manifests (SPEC section 10): CSV with a header row naming the columns
// `target`, `reference`, `output` (any order; only `target` required), or a
// JSON array of `{ target, reference?, output? }`. Relative paths are relative
// to the manifest's own folder, so a manifest travels with its audio.
// An item may have several references (up to MAX_REFERENCES): the CSV header
// names `reference` once per reference, JSON gives a list. Mastering options
// may be set per item in columns (keys) named as the query parameters of
// `POST /master` (`strength`, `match`, `loudness_preset`, `ceiling_dbtp`,
// `sample_rate`, `preview`, …; `-` for `_` is accepted); an empty cell leaves
// the batch's flag in force. Their values are checked with the flags'.
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { MAX_REFERENCES } from '../../../../core/domain/limits.ts';
import { MASTER_QUERY_PARAMETERS, type MasterQueryParameter } from '../../../../core/http/query.ts';
import { UsageError } from '../args.ts';

/** One manifest entry with paths resolved; `where` names it in messages (`line 4`, `entry 3`). */
export interface ManifestEntry {
  readonly where: string;
  readonly target: string;
  /** The item's own references (one or more), when the manifest names any. */
  readonly references?: readonly string[];
  readonly output?: string;
  /** The item's own mastering options, as query parameter → value text (not yet validated). */
  readonly options?: Readonly<Partial<Record<MasterQueryParameter, string>>>;
}

const PATH_COLUMNS = ['target', 'reference', 'output'] as const;
type PathColumn = (typeof PATH_COLUMNS)[number];
const OPTION_COLUMNS = Object.keys(MASTER_QUERY_PARAMETERS) as MasterQueryParameter[];
type Column = PathColumn | MasterQueryParameter;
const COLUMNS: readonly Column[] = [...PATH_COLUMNS, ...OPTION_COLUMNS];

/** A header name or JSON key as a column: case and `-`/`_` do not matter. */
function columnOf(name: string): Column | undefined {
  const normalised = name.trim().toLowerCase().replace(/-/g, '_');
  return (COLUMNS as readonly string[]).includes(normalised) ? (normalised as Column) : undefined;
}

const columnList = () => `${PATH_COLUMNS.join(', ')}; options: ${OPTION_COLUMNS.join(', ')}`;

interface EntryValues {
  paths: Partial<Record<Exclude<PathColumn, 'reference'>, string>>;
  references: string[];
  options: Partial<Record<MasterQueryParameter, string>>;
}

const emptyValues = (): EntryValues => ({ paths: {}, references: [], options: {} });

/** Builds an entry, resolving each given path against `baseDir`; empty values count as absent. */
function entry(where: string, values: EntryValues, baseDir: string): ManifestEntry {
  const path = (value: string | undefined) => (value === undefined || value === '' ? undefined : isAbsolute(value) ? value : join(baseDir, value));
  const target = path(values.paths.target);
  if (target === undefined) throw new UsageError(`manifest ${where}: no target`);
  const references = values.references.map(path).filter((value): value is string => value !== undefined);
  if (references.length > MAX_REFERENCES) throw new UsageError(`manifest ${where}: ${references.length} references; at most ${MAX_REFERENCES} are matched`);
  const output = path(values.paths.output);
  const options = Object.fromEntries(Object.entries(values.options).filter(([, value]) => value !== undefined && value.trim() !== ''));
  return {
    where,
    target,
    ...(references.length > 0 ? { references } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/** Puts one value under its column. */
function place(values: EntryValues, column: Column, value: string): void {
  if (column === 'reference') values.references.push(value);
  else if (column === 'target' || column === 'output') values.paths[column] = value;
  else values.options[column] = value;
}

/** One CSV record and the line it ends on (the line it is on, for the one-line records manifests hold). */
interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** csv-parse's errors in manifest words: what is wrong and how to fix it. */
const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote (double a quote inside a quoted field: "")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after a closing quote (double a quote inside a quoted field: "")',
};

/**
 * RFC 4180 records through csv-parse: quoted fields may hold commas, doubled
 * quotes and line breaks; CRLF, LF or CR line ends, mixed too; a UTF-8 BOM is
 * ignored; unquoted fields are trimmed (hand-written manifests put a space
 * after the comma), quoted ones kept exactly; a quote inside an unquoted field
 * is taken literally (`say "hi".wav`); blank lines are skipped.
 */
function readCsvRecords(text: string): CsvRecord[] {
  try {
    // csv-parse's types promise string[][] from parse, so the records with their lines are collected beside it.
    const records: CsvRecord[] = [];
    parse(text, {
      bom: true,
      trim: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      on_record: (fields, context) => {
        records.push({ line: context.lines, fields });
        return fields;
      },
    });
    return records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    const problem = CSV_PROBLEMS[error.code] ?? error.message.split('\n')[0];
    throw new UsageError(`manifest ${line === undefined ? '' : `line ${line}: `}${problem}`);
  }
}

/**
 * Reads CSV manifest text. Throws `UsageError` for a missing or unknown
 * column, a repeated column, a row with more fields than the header or a CSV
 * syntax error (naming its line).
 *
 * @example parseCsvManifest('target,reference\nsong.wav,ref.wav\n', '/music') // [{ where: 'line 2', target: '/music/song.wav', reference: '/music/ref.wav' }]
 */
export function parseCsvManifest(text: string, baseDir: string): ManifestEntry[] {
  const records = readCsvRecords(text);
  if (records.length === 0) throw new UsageError('manifest is empty (expected a header row: target,reference,output)');
  const [header, ...rows] = records;
  const columns = header.fields.map((name) => {
    const column = columnOf(name);
    if (column === undefined) throw new UsageError(`manifest header has an unknown column '${name.trim()}' (columns: ${columnList()})`);
    return column;
  });
  const singles = columns.filter((column) => column !== 'reference');
  if (new Set(singles).size !== singles.length) throw new UsageError('manifest header names a column twice (only reference may repeat)');
  if (columns.filter((column) => column === 'reference').length > MAX_REFERENCES) {
    throw new UsageError(`manifest header names reference more than ${MAX_REFERENCES} times`);
  }
  if (!columns.includes('target')) throw new UsageError(`manifest header has no 'target' column (columns: ${columnList()})`);
  return rows.map((row) => {
    if (row.fields.length > columns.length) {
      throw new UsageError(`manifest line ${row.line}: ${row.fields.length} fields but the header has ${columns.length}`);
    }
    const values = emptyValues();
    columns.forEach((column, i) => {
      if (row.fields[i] !== undefined) place(values, column, row.fields[i]);
    });
    return entry(`line ${row.line}`, values, baseDir);
  });
}

/**
 * Reads JSON manifest text: an array of objects with string fields `target`
 * (required), `reference` (a path or a list of paths) and `output`, and the
 * option keys (strings, numbers or booleans). Throws `UsageError` for anything
 * else, including unknown keys (a misspelt `refrence` would otherwise be ignored).
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
    const values = emptyValues();
    for (const [key, value] of Object.entries(item)) {
      const column = columnOf(key);
      if (column === undefined) throw new UsageError(`manifest ${where}: unknown key '${key}' (keys: ${columnList()})`);
      if (value === null || value === undefined) continue;
      if (column === 'reference' && Array.isArray(value)) {
        if (!value.every((path) => typeof path === 'string')) throw new UsageError(`manifest ${where}: 'reference' must be a string path or a list of them`);
        value.forEach((path) => place(values, column, path));
        continue;
      }
      const isOption = column !== 'target' && column !== 'reference' && column !== 'output';
      if (isOption && (typeof value === 'number' || typeof value === 'boolean')) {
        place(values, column, String(value));
        continue;
      }
      if (typeof value !== 'string') throw new UsageError(`manifest ${where}: '${key}' must be ${isOption ? 'a string, number or boolean' : 'a string path'}`);
      place(values, column, value);
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
