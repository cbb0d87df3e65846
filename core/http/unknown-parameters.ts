/**
 * Strict input: a query parameter or multipart field a route does not read is
 * `400 unknown_parameter`, naming it and the closest name the route knows —
 * a typo (`eq-mode`, `targetLufs`) must not pass as the default.
 */
import { AudoEqError } from '../domain/errors.ts';

export type ParameterLocation = 'query' | 'multipart';

/** `targetLufs`, `Target-LUFS`, `target lufs` → `target_lufs`: how spellings of one name are compared. */
function canonical(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][columns - 1];
}

/**
 * The known name closest to `name` (compared in one spelling: lower case,
 * words joined by `_`), and whether it is close enough to be what was meant
 * (at most a third of its letters differ, at least 2 allowed). Null when
 * nothing is known.
 *
 * @example closestParameter('eq-mode', ['eq_mode', 'eq_preset']) // { name: 'eq_mode', likely: true }
 */
export function closestParameter(name: string, known: readonly string[]): { name: string; likely: boolean } | null {
  const wanted = canonical(name);
  let best: { name: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(wanted, canonical(candidate));
    if (best === null || distance < best.distance) best = { name: candidate, distance };
  }
  if (best === null) return null;
  return { name: best.name, likely: best.distance <= Math.max(2, Math.floor(best.name.length / 3)) };
}

/**
 * The error for one unknown parameter: its name, where it was, the closest
 * known name (`closest`) and every known name.
 *
 * @example unknownParameterError('targetLufs', 'query', ['target_lufs']).message // "Unknown query parameter 'targetLufs'; did you mean 'target_lufs'?"
 */
export function unknownParameterError(name: string, location: ParameterLocation, known: readonly string[]): AudoEqError {
  const what = location === 'query' ? 'query parameter' : 'multipart field';
  const closest = closestParameter(name, known);
  const printable = name.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
  const hint =
    closest === null
      ? `this route takes no ${what}s`
      : closest.likely
        ? `did you mean '${closest.name}'?`
        : `the closest known one is '${closest.name}' (known: ${known.join(', ')})`;
  return new AudoEqError('unknown_parameter', `Unknown ${what} '${printable}'; ${hint}`, {
    parameter: printable,
    location,
    closest: closest?.name ?? null,
    known_parameters: [...known],
  });
}

/**
 * Throws `unknown_parameter` for the first query parameter of `params` not in `known`.
 *
 * @example rejectUnknownQuery(new URL('http://x/master?eq-mode=fixed').searchParams, ['eq_mode']) // throws, closest 'eq_mode'
 */
export function rejectUnknownQuery(params: URLSearchParams, known: readonly string[]): void {
  for (const name of params.keys()) {
    if (!known.includes(name)) throw unknownParameterError(name, 'query', known);
  }
}
