/**
 * The response headers of a successful `POST /master` (SPEC section 2), and
 * the header names CORS must expose to browsers.
 */
import type { PersistenceOutcome } from '../app/persist-artifact.ts';
import type { AppliedPolicies } from '../app/ports.ts';
import type { MasteringDiagnostics } from '../mastering/diagnostics.ts';
import { encodeWarningsHeader } from './warnings-header.ts';

export const MASTER_RESPONSE_HEADERS = {
  correlationId: 'X-Correlation-Id',
  policyVersion: 'X-Policy-Version',
  ingestPolicyId: 'X-Ingest-Policy-Id',
  normalizationPolicyId: 'X-Normalization-Policy-Id',
  profileId: 'X-Mastering-Profile-Id',
  diagnostics: 'X-Mastering-Diagnostics',
  warnings: 'X-Mastering-Warnings',
  persistenceStatus: 'X-Artifact-Persistence-Status',
  persistenceReason: 'X-Artifact-Persistence-Reason',
  objectKey: 'X-Mastered-Object-Key',
  objectUrl: 'X-Mastered-Object-Url',
} as const;

/**
 * The route that serves a stored artifact by key, as an absolute URL on
 * `baseUrl` (the key's `/` stays a path separator; each segment is escaped).
 *
 * @example artifactRouteUrl('http://127.0.0.1:8000', 'mastered/1f0e.wav') // 'http://127.0.0.1:8000/artifacts/mastered/1f0e.wav'
 */
export function artifactRouteUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/artifacts/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Every `X-` header a browser client may read (for `Access-Control-Expose-Headers`). */
export const EXPOSED_HEADERS = [...Object.values(MASTER_RESPONSE_HEADERS), 'Retry-After'];

/** Header values stay well under the 8–16 KiB limits of common clients and proxies. */
export const MAX_DIAGNOSTICS_HEADER_CHARS = 8000;

/**
 * Compact JSON that is a valid header value: non-ASCII escaped as `\uXXXX`
 * (JSON.stringify already escapes control characters, so no newline survives).
 * When the object is too large for a header, the bulky members (objects and
 * arrays) are dropped and `"truncated": true` is added.
 *
 * @example encodeDiagnosticsHeader({ strategy: 'balanced', note: 'é' }) // '{"strategy":"balanced","note":"\\u00e9"}'
 */
export function encodeDiagnosticsHeader(diagnostics: MasteringDiagnostics): string {
  const ascii = (value: unknown) =>
    JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const full = ascii(diagnostics);
  if (full.length <= MAX_DIAGNOSTICS_HEADER_CHARS) return full;
  const flat: Record<string, unknown> = { truncated: true };
  for (const [key, value] of Object.entries(diagnostics)) {
    if (value === null || typeof value !== 'object') flat[key] = value;
  }
  return ascii(flat).slice(0, MAX_DIAGNOSTICS_HEADER_CHARS);
}

/**
 * The persistence headers: status always; the object key when stored or
 * deferred (the key `GET /artifacts/{key}` finds it by); the reason when
 * skipped; the URL when stored (the backend's presigned URL, else the
 * artifact route on `baseUrl`).
 *
 * @example persistenceHeaders({ status: 'deferred', key: 'mastered/x.wav', destination: 'queue://artifacts/mastered/x.wav' }, 'http://h')
 * // { 'X-Artifact-Persistence-Status': 'deferred', 'X-Mastered-Object-Key': 'mastered/x.wav' }
 */
export function persistenceHeaders(persistence: PersistenceOutcome, baseUrl: string): Record<string, string> {
  const headers: Record<string, string> = { [MASTER_RESPONSE_HEADERS.persistenceStatus]: persistence.status };
  if (persistence.status === 'skipped') {
    headers[MASTER_RESPONSE_HEADERS.persistenceReason] = persistence.reason;
    return headers;
  }
  headers[MASTER_RESPONSE_HEADERS.objectKey] = persistence.key;
  if (persistence.status === 'stored') headers[MASTER_RESPONSE_HEADERS.objectUrl] = persistence.url ?? artifactRouteUrl(baseUrl, persistence.key);
  return headers;
}

/**
 * Builds the success headers of a mastering response.
 *
 * @example
 * masteringResponseHeaders({ correlationId: 'c1', policies, profileId: 'default', diagnostics: {}, persistence: { status: 'skipped', reason: 'storage_disabled' }, byteLength: 44, baseUrl: 'http://h' })
 */
export function masteringResponseHeaders(result: {
  readonly correlationId: string;
  readonly policies: AppliedPolicies;
  readonly profileId: string;
  readonly diagnostics: MasteringDiagnostics;
  readonly persistence: PersistenceOutcome;
  readonly byteLength: number;
  /** Origin the client reached this server at (or the configured public URL), for artifact route URLs. */
  readonly baseUrl: string;
}): Headers {
  const headers = new Headers({
    'content-type': 'audio/wav',
    'content-length': String(result.byteLength),
    'content-disposition': 'attachment; filename="mastered.wav"',
    'cache-control': 'no-store',
    [MASTER_RESPONSE_HEADERS.correlationId]: result.correlationId,
    [MASTER_RESPONSE_HEADERS.policyVersion]: result.policies.policyVersion,
    [MASTER_RESPONSE_HEADERS.ingestPolicyId]: result.policies.ingestPolicyId,
    [MASTER_RESPONSE_HEADERS.normalizationPolicyId]: result.policies.normalizationPolicyId,
    [MASTER_RESPONSE_HEADERS.profileId]: result.profileId,
    [MASTER_RESPONSE_HEADERS.diagnostics]: encodeDiagnosticsHeader(result.diagnostics),
    ...persistenceHeaders(result.persistence, result.baseUrl),
  });
  const warnings = encodeWarningsHeader(result.diagnostics.warnings);
  if (warnings !== null) headers.set(MASTER_RESPONSE_HEADERS.warnings, warnings);
  return headers;
}
