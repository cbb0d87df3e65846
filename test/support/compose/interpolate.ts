/**
 * Docker Compose variable interpolation, as the Compose specification defines
 * it: `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?message}` / `${VAR?message}` (required), `${VAR:+alt}` /
 * `${VAR+alt}` (replacement when set), `$$` for a literal dollar, and nested
 * expressions inside defaults (`${A:-${B:-x}}`).
 */

export type Lookup = (name: string) => string | undefined;

export interface InterpolationTrace {
  /** Every variable named anywhere in the text, defaults included. */
  readonly referenced: Set<string>;
  /** Variables that were used with no value and no default (compose warns, then uses ''). */
  readonly unset: Set<string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function newTrace(): InterpolationTrace {
  return { referenced: new Set(), unset: new Set() };
}

/**
 * Interpolates one string.
 *
 * @example interpolate('${API_PORT:-8000}:8000', (n) => ({ API_PORT: '8001' })[n]); // '8001:8000'
 */
export function interpolate(text: string, lookup: Lookup, trace: InterpolationTrace = newTrace()): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = matchingBrace(text, dollar + 1);
      out += expandBraced(text.slice(dollar + 2, close), lookup, trace);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (!name) {
        out += '$';
        i = dollar + 1;
      } else {
        out += valueOf(name, lookup, trace) ?? '';
        i = dollar + 1 + name.length;
      }
    }
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in ${JSON.stringify(text)}`);
}

function expandBraced(body: string, lookup: Lookup, trace: InterpolationTrace): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw new Error(`invalid interpolation format for \${${body}}`);
  const rest = body.slice(name.length);
  trace.referenced.add(name);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) trace.unset.add(name);
    return value ?? '';
  }
  const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!operator) throw new Error(`invalid interpolation format for \${${body}}`);
  // The word is expanded even when unused so that its variables are traced.
  const word = interpolate(rest.slice(operator.length), lookup, trace);
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== '';
  switch (operator) {
    case ':-':
      return isNonEmpty ? value : word;
    case '-':
      return isSet ? value : word;
    case ':?':
    case '?':
      if (operator === ':?' ? isNonEmpty : isSet) return value!;
      throw new Error(`required variable ${name} is missing a value: ${word}`);
    case ':+':
      return isNonEmpty ? word : '';
    default:
      return isSet ? word : '';
  }
}

function valueOf(name: string, lookup: Lookup, trace: InterpolationTrace): string | undefined {
  trace.referenced.add(name);
  const value = lookup(name);
  if (value === undefined) trace.unset.add(name);
  return value;
}
