/**
 * AWS SDK errors as product storage errors: the S3 error names (or, for
 * body-less HEAD answers, the status) mapped to a `StorageError` code that
 * says which setting to check. Network-level failures (refused, unresolved,
 * TLS, timeouts) pass through unchanged; core classifies them from their
 * Node error codes.
 */
import { StorageError, type StorageFailureCode } from '../../core/app/storage-failure.ts';

const BY_NAME: Readonly<Record<string, StorageFailureCode>> = {
  InvalidAccessKeyId: 'storage_credentials_rejected',
  SignatureDoesNotMatch: 'storage_credentials_rejected',
  InvalidToken: 'storage_credentials_rejected',
  ExpiredToken: 'storage_credentials_rejected',
  TokenRefreshRequired: 'storage_credentials_rejected',
  InvalidSecurity: 'storage_credentials_rejected',
  AccessDenied: 'storage_access_denied',
  AllAccessDisabled: 'storage_access_denied',
  AccountProblem: 'storage_access_denied',
  Forbidden: 'storage_access_denied',
  NoSuchBucket: 'storage_bucket_unusable',
  InvalidBucketName: 'storage_bucket_unusable',
  BucketAlreadyExists: 'storage_bucket_unusable',
  AuthorizationHeaderMalformed: 'storage_region_mismatch',
  PermanentRedirect: 'storage_region_mismatch',
  IllegalLocationConstraintException: 'storage_region_mismatch',
  InvalidRegion: 'storage_region_mismatch',
  RequestTimeout: 'storage_timeout',
  RequestTimeTooSkewed: 'storage_credentials_rejected',
};

interface SdkError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The HTTP status of an SDK error, when the server answered. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkError | null)?.$metadata?.httpStatusCode;
}

/**
 * The product error for an SDK error the server answered with; other errors
 * are returned as they are. `bucketCall`: a 404 on a bucket-level call means
 * the bucket is missing (on an object call it means the object is).
 *
 * @example toStorageError(invalidKeyError) // StorageError { code: 'storage_credentials_rejected', detail: 'InvalidAccessKeyId' }
 */
export function toStorageError(error: unknown, options: { bucketCall?: boolean } = {}): unknown {
  if (error instanceof StorageError) return error;
  const status = httpStatusOf(error);
  if (status === undefined) return error;
  const name = (error as SdkError).name ?? 'UnknownError';
  const byName = BY_NAME[name];
  const code: StorageFailureCode | undefined =
    byName ??
    (status === 403
      ? 'storage_access_denied'
      : status === 404 && options.bucketCall
        ? 'storage_bucket_unusable'
        : status === 301 || status === 307
          ? 'storage_region_mismatch'
          : status >= 500
            ? 'storage_server_error'
            : undefined);
  return code ? new StorageError(code, `${name}, HTTP ${status}`, { cause: error }) : error;
}
