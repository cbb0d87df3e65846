/**
 * Artifact keys: how mastered artifacts are named (`mastered/<id>.wav`) and
 * the check every key from outside passes before any storage call. Only keys
 * this service could have made are accepted: the prefix, one plain file name,
 * nothing encoded, no dot segments, no doubled or leading separators. So a
 * key can neither climb out of the data folder nor reach another prefix
 * (job inputs) or another bucket's objects.
 */

/** Where mastered artifacts live in storage; retention and `GET /artifacts/{key}` are limited to it. */
export const ARTIFACT_PREFIX = 'mastered/';

/** One file name: starts with a letter or digit, then letters, digits, `.`, `_`, `-`; at most 200 characters. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * The key of a new artifact.
 *
 * @example artifactKey('1f0e…') // 'mastered/1f0e….wav'
 */
export function artifactKey(id: string): string {
  return `${ARTIFACT_PREFIX}${id}.wav`;
}

/**
 * Why `key` is not an artifact key, or null when it is one.
 *
 * @example artifactKeyProblem('mastered/../jobs/x') // 'dot segments are not allowed'
 */
export function artifactKeyProblem(key: string): string | null {
  if (key.length === 0) return 'the key is empty';
  if (key.length > 512) return 'the key is longer than 512 characters';
  if (key.includes('%')) return 'percent-encoded characters are not allowed';
  if (key.includes('\\')) return 'backslashes are not allowed';
  if (key.startsWith('/')) return 'absolute keys are not allowed';
  if (key.includes('//')) return 'doubled separators are not allowed';
  if (key.split('/').some((segment) => segment === '.' || segment === '..' || segment.includes('..'))) return 'dot segments are not allowed';
  if (!key.startsWith(ARTIFACT_PREFIX)) return `the key is outside the artifact prefix '${ARTIFACT_PREFIX}'`;
  const name = key.slice(ARTIFACT_PREFIX.length);
  if (!FILE_NAME.test(name)) return `the key must be '${ARTIFACT_PREFIX}' and one file name of letters, digits, '.', '_' or '-'`;
  return null;
}
