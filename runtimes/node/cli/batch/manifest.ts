// Batch manifests (SPEC section 10): CSV with a header row naming the columns
// `target`, `reference`, `output` (any order; only `target` required), or a
// JSON array of `{ target, reference?, output? }`. Relative paths are relative
// to the manifest's own folder, so a manifest travels with its audio.
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { UsageError } from '../args.ts';

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
