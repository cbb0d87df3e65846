import type { PreflightMode } from './run.ts';

export interface PreflightWarning {
  /** `secret`: a guessable credential; `config`: a setting the stack cannot run with. */
  readonly kind: 'secret' | 'config';
  readonly key: string;
  readonly message: string;
}

/** Names that hold credentials: their example values are public knowledge. */
const SECRET_KEY = /(SECRET|SECRET_KEY|PASSWORD|ACCESS_KEY|TOKEN|API_KEYS?)$/;

/**
 * Warnings about credentials an operator has not changed: any secret-like
 * variable whose value (after compose's fallback to the example) still equals
 * the example's, S3 keys MinIO would refuse as its root account, and, for
 * production, an API with no keys at all.
 *
 * @example
 * secretWarnings((k) => ({ AUDO_EQ_S3_SECRET_KEY: 'minioadmin' })[k] ?? '', ['AUDO_EQ_S3_SECRET_KEY'],
 *   new Map([['AUDO_EQ_S3_SECRET_KEY', 'minioadmin']]), 'dev'); // one warning
 */
export function secretWarnings(
  valueOf: (key: string) => string,
  keys: readonly string[],
  example: ReadonlyMap<string, string>,
  mode: PreflightMode,
): PreflightWarning[] {
  const warnings: PreflightWarning[] = [];
  for (const key of keys) {
    if (!SECRET_KEY.test(key)) continue;
    const exampleValue = example.get(key);
    if (exampleValue && valueOf(key) === exampleValue) {
      warnings.push({ kind: 'secret', key, message: `${key} still has the value from .env.example, which anyone can read` });
    }
  }
  // compose.yaml makes the S3 key pair MinIO's root account, which MinIO
  // refuses to start with when the user is under 3 or the password under 8 characters.
  const accessKey = valueOf('AUDO_EQ_S3_ACCESS_KEY');
  const secretKey = valueOf('AUDO_EQ_S3_SECRET_KEY');
  if (keys.includes('AUDO_EQ_S3_ACCESS_KEY') && accessKey.length < 3) {
    warnings.push({ kind: 'config', key: 'AUDO_EQ_S3_ACCESS_KEY', message: 'AUDO_EQ_S3_ACCESS_KEY is shorter than 3 characters: MinIO will not start' });
  }
  if (keys.includes('AUDO_EQ_S3_SECRET_KEY') && secretKey.length < 8) {
    warnings.push({ kind: 'config', key: 'AUDO_EQ_S3_SECRET_KEY', message: 'AUDO_EQ_S3_SECRET_KEY is shorter than 8 characters: MinIO will not start' });
  }
  if (mode === 'prod' && keys.includes('AUDO_EQ_API_KEYS') && valueOf('AUDO_EQ_API_KEYS') === '') {
    warnings.push({ kind: 'secret', key: 'AUDO_EQ_API_KEYS', message: 'AUDO_EQ_API_KEYS is empty: anyone who reaches API_PORT can use the API' });
  }
  return warnings;
}

/**
 * Settings the API would refuse at start-up, caught before `docker compose up`:
 * guaranteed deferred persistence needs a durable (Redis) queue (SPEC section 6).
 *
 * @example policyWarnings((k) => ({ AUDO_EQ_ARTIFACT_PERSISTENCE_MODE: 'deferred', AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE: 'guaranteed' })[k] ?? ''); // one warning
 */
export function policyWarnings(valueOf: (key: string) => string): PreflightWarning[] {
  const deferred = valueOf('AUDO_EQ_ARTIFACT_PERSISTENCE_MODE') === 'deferred';
  const guaranteed = valueOf('AUDO_EQ_ARTIFACT_PERSISTENCE_GUARANTEE') === 'guaranteed';
  const queue = valueOf('AUDO_EQ_QUEUE_BACKEND') || 'memory';
  if (deferred && guaranteed && queue !== 'redis') {
    return [
      {
        kind: 'config',
        key: 'AUDO_EQ_QUEUE_BACKEND',
        message: `deferred + guaranteed persistence needs AUDO_EQ_QUEUE_BACKEND=redis (now ${queue}): the API will refuse to start`,
      },
    ];
  }
  return [];
}
