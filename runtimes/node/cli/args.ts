// Flag parsing shared by the CLI commands: `node:util` parseArgs, with every
// problem turned into one `UsageError` line (exit code 2) instead of Node's
// multi-line messages, repeated flags refused (unless the table marks one
// `multiple`, as `-r` is), and negative numbers accepted as values
// (`--target-lufs -14` is what anyone types for a loudness goal).
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit code for a usage error (SPEC section 10). */
export const USAGE_EXIT_CODE = 2;

/** A mistake in how the command was called; the CLI prints its message as one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives: strings and booleans, and a list for an option marked `multiple`. */
export type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

const NEGATIVE_NUMBER = /^-(\d+(\.\d*)?|\.\d+)$/;

/** The option a token names (`--name`, `--name=value`, `-n`), or undefined for a plain value. */
function optionOf(token: string, options: OptionSpecs): [string, (typeof options)[string]] | undefined {
  if (token.startsWith('--')) {
    const name = token.slice(2).split('=')[0];
    return options[name] ? [name, options[name]] : undefined;
  }
  if (/^-[A-Za-z]$/.test(token)) {
    return Object.entries(options).find(([, spec]) => spec.short === token.slice(1));
  }
  return undefined;
}

/** Joins `--opt -14` into `--opt=-14` for string options, which parseArgs would call ambiguous. */
function joinNegativeValues(args: readonly string[], options: OptionSpecs): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      joined.push(...args.slice(i));
      break;
    }
    const option = optionOf(arg, options);
    const next = args[i + 1];
    if (option && option[1].type === 'string' && !arg.includes('=') && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`--${option[0]}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** Node's parseArgs messages span lines and suggest `--`; keep the first sentence that names the problem. */
function usageMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option '${option}'`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /'([^']*)'/.exec(message)?.[1] ?? message;
    return `unexpected argument '${argument}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = (/'([^']+)'/.exec(message)?.[1] ?? 'an option').replace(' <value>', '');
    if (/argument missing/.test(message)) return `option ${option} needs a value`;
    if (/ambiguous/.test(message)) return `option ${option} needs a value (write ${option.split(', ').pop()}=VALUE for a value starting with '-')`;
    if (/does not take an argument/.test(message)) return `option ${option} takes no value`;
    return message.split('\n')[0];
  }
  return message.split('\n')[0];
}

/**
 * Parses a command's arguments against its option table. Throws `UsageError`
 * for an unknown option, a missing value, a stray positional (unless
 * `allowPositionals`) or an option given twice.
 *
 * @example
 * const { values } = parseCommandArgs(['-t', 'a.wav', '--target-lufs', '-14'], { target: { type: 'string', short: 't' }, 'target-lufs': { type: 'string' } });
 * // values: { target: 'a.wav', 'target-lufs': '-14' }
 */
export function parseCommandArgs(
  args: readonly string[],
  options: OptionSpecs,
  settings: { allowPositionals?: boolean } = {},
): { values: ParsedFlags; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals: settings.allowPositionals ?? false,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(usageMessage(error));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`option --${token.name} was given more than once`);
    seen.add(token.name);
  }
  return { values: parsed.values as ParsedFlags, positionals: parsed.positionals };
}

/**
 * The string value of a flag, or undefined when absent; an empty value counts
 * as a usage error because an empty path or number is never meant.
 *
 * @example const target = stringFlag(values, 'target');
 */
export function stringFlag(values: ParsedFlags, name: string): string | undefined {
  const value = values[name];
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (Array.isArray(value)) throw new Error(`option --${name} is marked multiple; read it with stringFlags`);
  if (value.trim() === '') throw new UsageError(`option --${name} needs a non-empty value`);
  return value;
}

/**
 * Every value of a flag marked `multiple`, in the order given (empty when
 * absent); an empty value is a usage error, as for {@link stringFlag}.
 *
 * @example const references = stringFlags(values, 'reference'); // ['a.wav', 'b.wav'] for -r a.wav -r b.wav
 */
export function stringFlags(values: ParsedFlags, name: string): string[] {
  const value = values[name];
  if (value === undefined || typeof value === 'boolean') return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.some((item) => item.trim() === '')) throw new UsageError(`option --${name} needs a non-empty value`);
  return list;
}

/**
 * Like {@link stringFlag} but the flag must be present.
 *
 * @example const output = requiredFlag(values, 'output', '-o');
 */
export function requiredFlag(values: ParsedFlags, name: string, short?: string): string {
  const value = stringFlag(values, name);
  if (value === undefined) throw new UsageError(`missing required option ${short ? `${short}/` : ''}--${name}`);
  return value;
}
