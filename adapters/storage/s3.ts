/**
 * S3-compatible artifact storage (`@aws-sdk/client-s3`, aimed at MinIO):
 * path-style addressing, checksums only when required (streamed bodies would
 * otherwise be stored with their chunk framing), the bucket ensured once and
 * cached, presigned GET URLs signed for the public endpoint when one is set,
 * and every operation bounded so a dead endpoint costs seconds, not minutes.
 * Errors the server answers with become `StorageError`s naming the setting to
 * check (adapters/storage/s3-errors.ts); the readiness check asks the server
 * every time (only stores rely on the cached bucket check).
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ArtifactObject, ArtifactStorage, StoredArtifact } from '../../core/app/ports.ts';
import { toStorageError } from './s3-errors.ts';
import { ARTIFACT_PREFIX } from '../../core/app/artifact-key.ts';

/** ID of the lifecycle rule retention sets; other rules on the bucket are kept as they are. */
export const RETENTION_RULE_ID = 'audo-eq-artifact-retention';

/** What setting the retention rule came to: set, or refused by a server without lifecycle support (s3rver, some gateways). */
export type RetentionRuleOutcome = { readonly status: 'applied' } | { readonly status: 'unsupported'; readonly detail: string };

export interface S3StorageOptions {
  /** `host:port` (scheme from `secure`) or a full `http(s)://host:port` URL. */
  readonly endpoint: string;
  readonly secure: boolean;
  /** Endpoint clients outside the compose network reach; presigned URLs are signed for it. */
  readonly publicEndpoint?: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  /** Lifetime of presigned GET URLs. */
  readonly urlTtlSeconds: number;
  /** Budget for one whole operation (bucket check + upload + presign), across attempts. */
  readonly timeoutMs: number;
  /** Attempts per S3 call (1 = no retry). */
  readonly maxAttempts: number;
}

/**
 * The endpoint as a URL: kept when it has a scheme, else `http(s)://` + it.
 *
 * @example endpointUrl('minio:9000', false) // 'http://minio:9000'
 */
export function endpointUrl(endpoint: string, secure: boolean): string {
  return /^https?:\/\//i.test(endpoint) ? endpoint.replace(/\/+$/, '') : `${secure ? 'https' : 'http'}://${endpoint}`;
}

function isStatus(error: unknown, status: number, ...names: string[]): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return !!e && (e.$metadata?.httpStatusCode === status || (e.name !== undefined && names.includes(e.name)));
}

function createClient(options: S3StorageOptions, endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts,
    // Without these a server that accepts and never answers hangs a call forever.
    requestHandler: {
      connectionTimeout: Math.min(options.timeoutMs, 2000),
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}

/**
 * Creates S3 storage. Object metadata (`correlation-id`, `profile-id`) is sent
 * as `x-amz-meta-*`; the content type is the object's.
 *
 * @example
 * const storage = createS3Storage({ endpoint: 'minio:9000', secure: false, region: 'us-east-1', accessKeyId: 'minioadmin',
 *   secretAccessKey: 'minioadmin', bucket: 'audo-eq-mastered', urlTtlSeconds: 3600, timeoutMs: 3000, maxAttempts: 2 });
 * const { url } = await storage.store(object); // presigned GET URL
 */
export function createS3Storage(options: S3StorageOptions): ArtifactStorage & {
  /** Sets the bucket's lifecycle rule expiring `mastered/` objects after `days` (creating the bucket when missing). */
  applyRetentionRule(days: number): Promise<RetentionRuleOutcome>;
  destroy(): void;
} {
  const client = createClient(options, endpointUrl(options.endpoint, options.secure));
  // A URL signed for the internal host cannot be rewritten (the host is signed): sign with a client on the public endpoint.
  const signer = options.publicEndpoint ? createClient(options, endpointUrl(options.publicEndpoint, options.secure)) : client;
  const bucket = options.bucket;
  let bucketReady: Promise<void> | null = null;

  const deadline = (signal?: AbortSignal): AbortSignal => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  };

  /** Names the budget in the error when the deadline (not the server) ended the call. */
  const bounded = async <T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (signal.aborted) throw new Error(`S3 ${what} did not finish within ${options.timeoutMs} ms`, { cause: error });
      throw toStorageError(error);
    }
  };

  /**
   * A HEAD answer has no body, so a 403 cannot say whether the key or the
   * bucket's policy refused it: a one-key listing (a GET) returns the S3 error name.
   */
  const explainForbidden = async (headError: unknown, abortSignal: AbortSignal): Promise<unknown> => {
    try {
      await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), { abortSignal });
    } catch (error) {
      return toStorageError(error, { bucketCall: true });
    }
    return toStorageError(headError, { bucketCall: true });
  };

  const createBucketIfMissing = async (abortSignal: AbortSignal): Promise<void> => {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal });
      return;
    } catch (error) {
      if (isStatus(error, 403)) throw await explainForbidden(error, abortSignal);
      if (!isStatus(error, 404, 'NotFound', 'NoSuchBucket')) throw toStorageError(error, { bucketCall: true });
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }), { abortSignal });
    } catch (error) {
      // Created meanwhile by another instance of this service: fine. (BucketAlreadyExists means someone else's.)
      if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw toStorageError(error, { bucketCall: true });
    }
  };

  /** Checks (and creates) the bucket once; a failure is not cached, so the next call tries again. */
  const ensureBucket = (abortSignal: AbortSignal): Promise<void> => {
    bucketReady ??= createBucketIfMissing(abortSignal).catch((error) => {
      bucketReady = null;
      throw error;
    });
    return bucketReady;
  };

  return {
    backend: 's3',
    async store(object: ArtifactObject, storeOptions?: { signal?: AbortSignal }): Promise<StoredArtifact> {
      const abortSignal = deadline(storeOptions?.signal);
      return bounded('store', abortSignal, async () => {
        await ensureBucket(abortSignal);
        try {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: object.key,
              Body: object.bytes,
              ContentType: object.contentType,
              ContentLength: object.bytes.byteLength,
              Metadata: { ...object.metadata },
            }),
            { abortSignal },
          );
        } catch (error) {
          // The bucket vanished since it was checked: check again next time.
          if (isStatus(error, 404, 'NoSuchBucket')) bucketReady = null;
          throw error;
        }
        const url = await getSignedUrl(signer, new GetObjectCommand({ Bucket: bucket, Key: object.key }), {
          expiresIn: options.urlTtlSeconds,
        });
        return { key: object.key, url, destination: `s3://${bucket}/${object.key}` };
      });
    },
    async exists(key: string): Promise<boolean> {
      const abortSignal = deadline();
      return bounded('exists', abortSignal, async () => {
        try {
          await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          return true;
        } catch (error) {
          if (isStatus(error, 404, 'NotFound', 'NoSuchKey')) return false;
          throw error;
        }
      });
    },
    async read(key: string, readOptions?: { signal?: AbortSignal }): Promise<Uint8Array | null> {
      const abortSignal = deadline(readOptions?.signal);
      return bounded('read', abortSignal, async () => {
        try {
          const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          return await result.Body!.transformToByteArray();
        } catch (error) {
          if (isStatus(error, 404, 'NoSuchKey', 'NotFound')) return null;
          throw error;
        }
      });
    },
    async remove(key: string): Promise<void> {
      const abortSignal = deadline();
      // S3 answers 204 for a key that has no object, so a second removal is not an error.
      await bounded('remove', abortSignal, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }));
    },
    async checkReady(): Promise<void> {
      const abortSignal = deadline();
      // Asked afresh each time: a cached answer would keep saying ready after the server died.
      await bounded('readiness check', abortSignal, () => createBucketIfMissing(abortSignal));
    },
    async applyRetentionRule(days: number): Promise<RetentionRuleOutcome> {
      const abortSignal = deadline();
      return bounded('lifecycle rule', abortSignal, async () => {
        await ensureBucket(abortSignal);
        let rules: LifecycleRule[] = [];
        try {
          const current = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), { abortSignal });
          rules = current.Rules ?? [];
        } catch (error) {
          const name = (error as { name?: string }).name ?? '';
          if (name === 'NotImplemented' || isStatus(error, 501)) return { status: 'unsupported', detail: `GetBucketLifecycleConfiguration: ${name || 'HTTP 501'}` };
          if (name !== 'NoSuchLifecycleConfiguration') throw error;
        }
        const ours: LifecycleRule = { ID: RETENTION_RULE_ID, Status: 'Enabled', Filter: { Prefix: ARTIFACT_PREFIX }, Expiration: { Days: days } };
        try {
          await client.send(
            new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [...rules.filter((rule) => rule.ID !== RETENTION_RULE_ID), ours] } }),
            { abortSignal },
          );
        } catch (error) {
          const name = (error as { name?: string }).name ?? '';
          if (name === 'NotImplemented' || isStatus(error, 501)) return { status: 'unsupported', detail: `PutBucketLifecycleConfiguration: ${name || 'HTTP 501'}` };
          throw error;
        }
        return { status: 'applied' };
      });
    },
    destroy() {
      client.destroy();
      if (signer !== client) signer.destroy();
    },
  };
}
