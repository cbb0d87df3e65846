// A small RFC 4180 reader for batch manifests: quoted fields may hold commas,
// doubled quotes and line breaks; CRLF or LF line ends; a UTF-8 BOM is
// ignored. Unquoted fields are trimmed (hand-written manifests put a space
// after the comma), quoted ones are kept exactly.

/** One parsed record with the 1-based line it starts on, for error messages. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** A CSV text that cannot be read (an unclosed quote, text after a closing quote). */
export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Splits CSV text into records; lines that are empty (or only spaces) are
 * skipped. Throws `CsvSyntaxError` naming the line of a malformed field.
 *
 * @example
 * parseCsv('target,output\n"a, b.wav", out.wav\n')
 * // [{ line: 1, fields: ['target', 'output'] }, { line: 2, fields: ['a, b.wav', 'out.wav'] }]
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;

  const endField = () => {
    fields.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    endField();
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < source.length) {
    const char = source[i];
    if (char === '"' && field.trim() === '' && !quoted) {
      // Opening quote: read up to the closing one, un-doubling "" inside.
      const startLine = line;
      field = '';
      quoted = true;
      i++;
      for (;;) {
        if (i >= source.length) throw new CsvSyntaxError(startLine, 'a quoted field is never closed');
        if (source[i] === '"') {
          if (source[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (source[i] === '\n') line++;
        field += source[i++];
      }
      while (source[i] === ' ' || source[i] === '\t') i++;
      if (i < source.length && source[i] !== ',' && source[i] !== '\n' && source[i] !== '\r') {
        throw new CsvSyntaxError(line, 'text after a closing quote (double a quote inside a quoted field: "")');
      }
      continue;
    }
    if (char === ',') {
      endField();
      i++;
    } else if (char === '\n' || char === '\r') {
      endRecord();
      i += char === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += char;
      i++;
    }
  }
  if (field !== '' || quoted || fields.length > 0) endRecord();
  return records;
}
