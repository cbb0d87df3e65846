/**
 * A `.env` file kept as its original lines so that one value can be replaced
 * without touching anything else: comments, blank lines, order, quoting,
 * inline comments and line endings all survive byte for byte.
 *
 * The syntax is the one Docker Compose reads: `KEY=value`, optional `export `,
 * `#` comments on their own line, ` #` inline comments after unquoted values,
 * 'single' (literal) and "double" (with \n, \t, \" and \\ escapes) quotes.
 * Values are not interpolated here.
 */

export interface EnvLine {
  /** The line without its end-of-line characters. */
  readonly text: string;
  /** '\n', '\r\n' or '' for a last line without one. */
  readonly eol: string;
  /** Set when the line assigns a variable. */
  readonly key?: string;
  readonly value?: string;
  /** Offsets in `text` of the raw value (inside the quotes when quoted). */
  readonly valueStart?: number;
  readonly valueEnd?: number;
  readonly quote?: '"' | "'" | '';
}

export interface EnvFile {
  readonly lines: readonly EnvLine[];
}

const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)/;

/**
 * Parses `.env` text into lines, keeping everything needed to write it back.
 *
 * @example
 * const file = parseEnvFile('# ports\nAPI_PORT=8000 # api\n');
 * envValues(file).get('API_PORT'); // '8000'
 */
export function parseEnvFile(text: string): EnvFile {
  const lines: EnvLine[] = [];
  // split with a capture group alternates line, end-of-line, line, ...
  const parts = text.split(/(\r?\n)/);
  for (let i = 0; i < parts.length; i += 2) {
    const eol = parts[i + 1] ?? '';
    if (parts[i] === '' && eol === '') continue;
    lines.push(parseLine(parts[i], eol));
  }
  return { lines };
}

function parseLine(text: string, eol: string): EnvLine {
  const head = ASSIGNMENT.exec(text);
  if (!head || /^\s*#/.test(text)) return { text, eol };
  const key = head[2];
  const start = head[0].length;
  const first = text[start];
  if (first === '"' || first === "'") {
    const close = findClosingQuote(text, start + 1, first);
    if (close >= 0) {
      const raw = text.slice(start + 1, close);
      const value = first === '"' ? unescapeDouble(raw) : raw;
      return { text, eol, key, value, valueStart: start + 1, valueEnd: close, quote: first };
    }
  }
  // Unquoted: an inline comment starts at whitespace followed by '#'.
  const comment = /\s+#/.exec(text.slice(start));
  const end = comment ? start + comment.index : text.length;
  const raw = text.slice(start, end).replace(/\s+$/, '');
  return { text, eol, key, value: raw, valueStart: start, valueEnd: start + raw.length, quote: '' };
}

function findClosingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

function unescapeDouble(raw: string): string {
  return raw.replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/**
 * The variables a parsed file assigns (a later assignment wins, as in Compose).
 *
 * @example envValues(parseEnvFile('A=1\nA=2')).get('A'); // '2'
 */
export function envValues(file: EnvFile): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of file.lines) if (line.key !== undefined) values.set(line.key, line.value ?? '');
  return values;
}

/**
 * Returns a copy of `file` where the last assignment of `key` holds `value`;
 * only that value's characters change. The value must need no quoting beyond
 * what the line already has (ports and plain words do not).
 *
 * @example serializeEnvFile(setEnvValue(parseEnvFile('API_PORT=8000 # api\n'), 'API_PORT', '8001')); // 'API_PORT=8001 # api\n'
 */
export function setEnvValue(file: EnvFile, key: string, value: string): EnvFile {
  let index = -1;
  file.lines.forEach((line, i) => {
    if (line.key === key) index = i;
  });
  if (index < 0) throw new Error(`${key} is not assigned in this file`);
  const line = file.lines[index];
  const text = line.text.slice(0, line.valueStart) + value + line.text.slice(line.valueEnd);
  const lines = file.lines.slice();
  lines[index] = parseLine(text, line.eol);
  return { lines };
}

/**
 * Appends `KEY=value` (after a newline if the file does not end with one).
 *
 * @example serializeEnvFile(appendEnvValue(parseEnvFile('A=1'), 'B', '2')); // 'A=1\nB=2\n'
 */
export function appendEnvValue(file: EnvFile, key: string, value: string, comment?: string): EnvFile {
  const lines = file.lines.slice();
  const last = lines[lines.length - 1];
  const eol = last?.eol || (lines.some((l) => l.eol === '\r\n') ? '\r\n' : '\n');
  if (last && last.eol === '') lines[lines.length - 1] = { ...last, eol };
  if (comment) lines.push(parseLine(`# ${comment}`, eol));
  lines.push(parseLine(`${key}=${value}`, eol));
  return { lines };
}

/**
 * Writes the lines back out exactly as they were, apart from changed values.
 *
 * @example serializeEnvFile(parseEnvFile(text)) === text; // true for any text
 */
export function serializeEnvFile(file: EnvFile): string {
  return file.lines.map((line) => line.text + line.eol).join('');
}
