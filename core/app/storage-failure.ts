/**
 * Storage failures as the product reports them: a code, whether the backend
 * was unreachable or answered and refused, and the setting an operator should
 * check. Adapters throw `StorageError` with what they recognise (AWS error
 * names, filesystem errno codes); anything else is classified here from the
 * Node network error codes it carries, so every failure gets a code.
 */
import { STORAGE_SETTING_ENV, type StorageSetting } from './config.ts';

export type { StorageSetting };

/**
 * `unavailable`: the backend did not answer (down, unreachable, timed out,
 * TLS failed) — retrying later may succeed. `rejected`: it answered and
 * refused (credentials, bucket, permissions) — only a configuration change helps.
 */
export type StorageFailureKind = 'unavailable' | 'rejected';

export const STORAGE_FAILURE_CODES = {
  storage_endpoint_unreachable: { kind: 'unavailable', setting: 'endpoint', hint: 'the storage endpoint refused or did not resolve' },
  storage_timeout: { kind: 'unavailable', setting: 'timeout', hint: 'the storage endpoint did not answer in time' },
  storage_tls_failed: { kind: 'unavailable', setting: 'tls', hint: 'the TLS handshake with the storage endpoint failed' },
  storage_server_error: { kind: 'unavailable', setting: 'endpoint', hint: 'the storage server answered with a server error' },
  storage_full: { kind: 'unavailable', setting: 'data_dir', hint: 'the storage device is full' },
  storage_credentials_rejected: { kind: 'rejected', setting: 'credentials', hint: 'the storage server rejected the access key or signature' },
  storage_access_denied: { kind: 'rejected', setting: 'permissions', hint: 'the storage server denied access to the bucket' },
  storage_bucket_unusable: { kind: 'rejected', setting: 'bucket', hint: 'the bucket does not exist, belongs to someone else or has an invalid name' },
  storage_region_mismatch: { kind: 'rejected', setting: 'region', hint: 'the bucket lives in another region or behind another endpoint' },
  storage_permission_denied: { kind: 'rejected', setting: 'data_dir', hint: 'the data directory is not writable' },
  storage_data_dir_unusable: { kind: 'rejected', setting: 'data_dir', hint: 'the data directory path is not a usable directory' },
  storage_error: { kind: 'unavailable', setting: 'endpoint', hint: 'the storage backend failed' },
} as const satisfies Record<string, { kind: StorageFailureKind; setting: StorageSetting; hint: string }>;

export type StorageFailureCode = keyof typeof STORAGE_FAILURE_CODES;

/**
 * What an adapter throws when it recognises a failure. `detail` is the
 * backend's own word for it (e.g. `InvalidAccessKeyId`, `EACCES`).
 *
 * @example throw new StorageError('storage_credentials_rejected', 'InvalidAccessKeyId', { cause: error })
 */
export class StorageError extends Error {
  readonly code: StorageFailureCode;
  readonly detail: string;

  constructor(code: StorageFailureCode, detail: string, options?: { cause?: unknown }) {
    super(`${STORAGE_FAILURE_CODES[code].hint} (${detail})`, options);
    this.name = 'StorageError';
    this.code = code;
    this.detail = detail;
  }
}

/** A classified failure, ready for logs, events, `/ready` and the 503 body. */
export interface StorageFailure {
  readonly code: StorageFailureCode;
  readonly kind: StorageFailureKind;
  /** The configuration to check, e.g. `AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY`. */
  readonly check: string;
  /** One line: what happened and what to check. */
  readonly message: string;
}

const TLS_ERROR = /^(EPROTO|ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_)/;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** The Node error code anywhere along the cause chain (`ECONNREFUSED`, `ERR_SSL_…`), or the message's own. */
function networkCode(error: unknown): string | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (current as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return 'ETIMEDOUT';
    const message = current instanceof Error ? current.message : '';
    const named = /\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/.exec(message)?.[1];
    if (named) return named;
    if (/did not finish within|no answer within|timed? ?out/i.test(message)) return 'ETIMEDOUT';
    if (/wrong version number|certificate|ssl|tls/i.test(message)) return 'ERR_SSL_PROTOCOL';
  }
  return null;
}

function classify(error: unknown): { code: StorageFailureCode; detail: string } {
  if (error instanceof StorageError) return { code: error.code, detail: error.detail };
  const code = networkCode(error);
  if (code === null) return { code: 'storage_error', detail: error instanceof Error ? error.name : typeof error };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { code: 'storage_timeout', detail: code };
  if (TLS_ERROR.test(code)) return { code: 'storage_tls_failed', detail: code };
  if (UNREACHABLE.has(code)) return { code: 'storage_endpoint_unreachable', detail: code };
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return { code: 'storage_permission_denied', detail: code };
  if (code === 'ENOSPC' || code === 'EDQUOT') return { code: 'storage_full', detail: code };
  // EEXIST: mkdir met a file where the data directory (or a folder in it) should be.
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST' || code === 'ELOOP' || code === 'ENAMETOOLONG') return { code: 'storage_data_dir_unusable', detail: code };
  return { code: 'storage_error', detail: code };
}

/**
 * Classifies any error a storage port threw, for the backend that threw it.
 *
 * @example describeStorageFailure(new StorageError('storage_credentials_rejected', 'InvalidAccessKeyId'), 's3')
 * // { code: 'storage_credentials_rejected', kind: 'rejected', check: 'AUDO_EQ_S3_ACCESS_KEY, AUDO_EQ_S3_SECRET_KEY', message: '…' }
 */
export function describeStorageFailure(error: unknown, backend: string): StorageFailure {
  const { code, detail } = classify(error);
  const { kind, setting, hint } = STORAGE_FAILURE_CODES[code];
  const settings = STORAGE_SETTING_ENV[backend === 'filesystem' ? 'filesystem' : 's3'][setting];
  const check = settings.join(', ');
  return { code, kind, check, message: `${hint} (${detail}); check ${check}` };
}
