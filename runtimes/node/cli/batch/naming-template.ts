// `--naming-template`: output names in Python `str.format` style, as SPEC
// section 10 writes them (`{index:03d}`). Fields: `index` (1-based position in
// the batch), `target_name`, `target_stem`, `target_suffix`, `reference_name`,
// `reference_stem`. Format specs take the subset of Python's mini-language a
// file name needs: `[[fill]align][0][width][.precision][type]`, type `d` for
// `index` and `s` for the names; `{{` and `}}` are literal braces.
import { UsageError } from '../args.ts';

export const DEFAULT_NAMING_TEMPLATE = '{target_stem}_mastered.wav';

export interface NamingFields {
  readonly index: number;
  readonly target_name: string;
  readonly target_stem: string;
  readonly target_suffix: string;
  readonly reference_name: string;
  readonly reference_stem: string;
}

const FIELD_NAMES = ['index', 'target_name', 'target_stem', 'target_suffix', 'reference_name', 'reference_stem'] as const;
type FieldName = (typeof FIELD_NAMES)[number];

interface FormatSpec {
  readonly fill: string;
  readonly align: '<' | '>' | '^' | '=' | undefined;
  readonly width: number;
  readonly precision: number | undefined;
  readonly type: 'd' | 's' | undefined;
}

type Piece = string | { readonly field: FieldName; readonly spec: FormatSpec };

const SPEC_SHAPE = /^(?:(.)?([<>^=]))?(0)?(\d+)?(?:\.(\d+))?([ds])?$/s;

function parseSpec(field: FieldName, text: string, template: string): FormatSpec {
  const match = SPEC_SHAPE.exec(text);
  const fail = (why: string) => new UsageError(`--naming-template '${template}': {${field}:${text}} ${why}`);
  if (!match) throw fail('is not a format spec this template supports ([[fill]align][0][width][.precision][d|s])');
  const [, fill, align, zero, width, precision, type] = match;
  const isNumber = field === 'index';
  if (type === 'd' && !isNumber) throw fail(`uses 'd' but ${field} is text (use s)`);
  if (type === 's' && isNumber) throw fail("uses 's' but index is a number (use d)");
  if (precision !== undefined && isNumber) throw fail('has a precision, which a whole number does not take');
  if (align === '=' && !isNumber) throw fail("uses '=' alignment, which only numbers take");
  return {
    fill: fill ?? (zero ? '0' : ' '),
    align: (align as FormatSpec['align']) ?? (zero && isNumber ? '=' : undefined),
    width: width === undefined ? 0 : Number(width),
    precision: precision === undefined ? undefined : Number(precision),
    type: type as FormatSpec['type'],
  };
}

function applySpec(value: number | string, spec: FormatSpec): string {
  const isNumber = typeof value === 'number';
  let text = isNumber ? String(Math.abs(value)) : value;
  if (!isNumber && spec.precision !== undefined) text = text.slice(0, spec.precision);
  const sign = isNumber && value < 0 ? '-' : '';
  const padLength = Math.max(0, spec.width - text.length - sign.length);
  const pad = spec.fill.repeat(padLength);
  // Python's defaults: numbers right-aligned, text left-aligned.
  const align = spec.align ?? (isNumber ? '>' : '<');
  if (align === '=') return sign + pad + text;
  if (align === '<') return sign + text + pad;
  if (align === '>') return pad + sign + text;
  const left = Math.floor(padLength / 2);
  return spec.fill.repeat(left) + sign + text + spec.fill.repeat(padLength - left);
}

/**
 * Parses a naming template once; the returned function renders it for one
 * item. Throws `UsageError` for an unknown field, a bad format spec or an
 * unmatched brace, so a typo stops the batch before any work starts.
 *
 * @example
 * compileNamingTemplate('{index:03d}_{target_stem}.wav')({ index: 7, target_stem: 'song', … }) // '007_song.wav'
 */
export function compileNamingTemplate(template: string): (fields: NamingFields) => string {
  const pieces: Piece[] = [];
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if ((char === '{' || char === '}') && template[i + 1] === char) {
      literal += char;
      i++;
    } else if (char === '}') {
      throw new UsageError(`--naming-template '${template}': a single '}' (write '}}' for a literal brace)`);
    } else if (char === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) throw new UsageError(`--naming-template '${template}': a '{' is never closed`);
      const body = template.slice(i + 1, close);
      const colon = body.indexOf(':');
      const name = colon < 0 ? body : body.slice(0, colon);
      if (!(FIELD_NAMES as readonly string[]).includes(name)) {
        throw new UsageError(`--naming-template '${template}': unknown field {${name}} (fields: ${FIELD_NAMES.join(', ')})`);
      }
      const field = name as FieldName;
      if (literal) pieces.push(literal);
      literal = '';
      pieces.push({ field, spec: parseSpec(field, colon < 0 ? '' : body.slice(colon + 1), template) });
      i = close;
    } else literal += char;
  }
  if (literal) pieces.push(literal);
  return (fields) => pieces.map((piece) => (typeof piece === 'string' ? piece : applySpec(fields[piece.field], piece.spec))).join('');
}
