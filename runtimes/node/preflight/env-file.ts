/**
 * `.env` text for the preflight: values are read by Node itself
 * (`util.parseEnv`, the parser behind `process.loadEnvFile` and `--env-file`:
 * `KEY=value`, optional `export `, `#` comments, 'single', "double" and
 * `backtick` quotes); writing changes one value in place so that comments,
 * blank lines, order, quoting, inline comments and line endings all survive
 * byte for byte.
 */
import { parseEnv } from 'node:util';

/**
 * The variables `.env` text assigns, as Node reads them (a later assignment wins).
 *
 * @example envValues('# ports\nAPI_PORT=8000 # api\n').get('API_PORT'); // '8000'
 */
export function envValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(parseEnv(text))) values.set(key, value ?? '');
  return values;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The assignment lines of `key` (`export ` allowed): the part before the
 * value, then the value's own characters: inside its quotes when quoted, else
 * up to an inline ` #` comment or the end of the line, trailing spaces left out.
 */
const assignmentOf = (key: string) =>
  new RegExp(`^([ \\t]*(?:export[ \\t]+)?${escapeRegExp(key)}[ \\t]*=[ \\t]*)(?:(["'\`])([^\\r\\n]*?)\\2|([^\\r\\n]*?))(?=[ \\t]+#|[ \\t]*\\r?$)`, 'gm');

/**
 * Returns `text` where the last assignment of `key` holds `value`; only that
 * value's characters change. The value must need no quoting beyond what the
 * line already has (ports and plain words do not). Throws when `key` is not assigned.
 *
 * @example setEnvValue('API_PORT=8000 # api\n', 'API_PORT', '8001'); // 'API_PORT=8001 # api\n'
 */
export function setEnvValue(text: string, key: string, value: string): string {
  const matches = [...text.matchAll(assignmentOf(key))];
  const last = matches.at(-1);
  if (last === undefined || last.index === undefined) throw new Error(`${key} is not assigned in this file`);
  const [, head, quote = ''] = last;
  const start = last.index + head.length + quote.length;
  const end = start + (last[3] ?? last[4] ?? '').length;
  return text.slice(0, start) + value + text.slice(end);
}

/**
 * Appends `KEY=value` (after a line end if the text does not end with one),
 * with the line ending the text already uses.
 *
 * @example appendEnvValue('A=1', 'B', '2'); // 'A=1\nB=2\n'
 */
export function appendEnvValue(text: string, key: string, value: string, comment?: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${separator}${comment ? `# ${comment}${eol}` : ''}${key}=${value}${eol}`;
}
