/**
 * The logging adapter on tslog 5: one JSON object per line in containers (or
 * when asked), pretty lines on a TTY. Errors become plain objects (name,
 * message, code, status, stack, cause) so they can be masked and read; secrets
 * are masked by field name (tslog) and by value (here, before tslog sees them).
 */
import { Logger } from 'tslog';
import type { AppLogger } from '../../core/app/ports.ts';

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TslogLoggerOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** Logger name in every record; default `audo-eq`. */
  readonly name?: string;
  /** Values that must never appear in a line (S3 secret key, API keys). */
  readonly secretValues?: readonly string[];
}

/** Field names whose values are always masked, whatever they hold. */
const SECRET_KEYS = [
  'authorization',
  'x-api-key',
  'api_key',
  'api_keys',
  'apiKey',
  'apiKeys',
  'password',
  'secret',
  'secretAccessKey',
  'secret_key',
  'AUDO_EQ_S3_SECRET_KEY',
  'AUDO_EQ_API_KEYS',
  'cookie',
];

const LEVEL_NAMES: Record<LogLevel, 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/**
 * `auto` resolves to pretty on a TTY and JSON otherwise (containers, pipes).
 *
 * @example resolveLogFormat('auto', process.stdout.isTTY === true) // 'json' when piped
 */
export function resolveLogFormat(setting: 'auto' | LogFormat, isTty: boolean): LogFormat {
  if (setting !== 'auto') return setting;
  return isTty ? 'pretty' : 'json';
}

/**
 * An error as a plain, loggable object (tslog drops Error values nested in
 * fields, and would not mask their messages).
 *
 * @example serializeError(new Error('boom')) // { name: 'Error', message: 'boom', stack: 'Error: boom\n    at …' }
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> | string {
  if (!(error instanceof Error)) return String(error);
  const record: Record<string, unknown> = { name: error.name, message: error.message };
  const extra = error as Error & { code?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof extra.code === 'string' || typeof extra.code === 'number') record.code = extra.code;
  else if (typeof extra.Code === 'string') record.code = extra.Code;
  if (extra.$metadata?.httpStatusCode) record.status = extra.$metadata.httpStatusCode;
  if (error.stack) record.stack = error.stack;
  if (error.cause !== undefined && depth < 3) record.cause = serializeError(error.cause, depth + 1);
  return record;
}

const MASK = '[***]';

/**
 * Errors → plain objects, and every secret value cut out of every string, at
 * any depth (tslog's own regex masking missed nested strings here).
 */
function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return secrets.reduce((text, secret) => text.split(secret).join(MASK), value);
  if (value instanceof Error) return redact(serializeError(value), secrets, depth);
  if (value === null || typeof value !== 'object' || depth > 8 || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = redact(inner, secrets, depth + 1);
  return out;
}

/**
 * Creates the app logger. JSON records look like
 * `{"message":"…","level":"INFO","time":"…",…fields,"_logMeta":{…}}`, so the
 * correlation id passed as `correlation_id` is a top-level field.
 *
 * @example
 * const logger = createTslogLogger({ format: 'json', level: 'info', secretValues: [config.AUDO_EQ_S3_SECRET_KEY] });
 * logger.info('audo-eq listening', { host: '0.0.0.0', port: 8000 });
 */
export function createTslogLogger(options: TslogLoggerOptions): AppLogger & { flush(): Promise<void> } {
  const secrets = (options.secretValues ?? []).filter((value) => value.length > 0);
  const tslog = new Logger({
    type: options.format,
    name: options.name ?? 'audo-eq',
    minLevel: LEVEL_NAMES[options.level],
    mask: { keys: SECRET_KEYS, caseInsensitive: true, placeholder: MASK },
    stack: { capture: 'off' },
    pretty: {
      template: '{{yyyy}}-{{mm}}-{{dd}} {{hh}}:{{MM}}:{{ss}}.{{ms}}\t{{logLevelName}}\t',
      inspectOptions: { breakLength: Infinity, depth: 6 },
    },
  });
  const clean = (message: string, fields: Record<string, unknown> | undefined): [string, Record<string, unknown>] => [
    redact(message, secrets) as string,
    redact(fields ?? {}, secrets) as Record<string, unknown>,
  ];
  return {
    debug: (message, fields) => void tslog.debug(...clean(message, fields)),
    info: (message, fields) => void tslog.info(...clean(message, fields)),
    warn: (message, fields) => void tslog.warn(...clean(message, fields)),
    error: (message, fields) => void tslog.error(...clean(message, fields)),
    flush: () => tslog.flush(),
  };
}
