/**
 * `X-Mastering-Warnings`: the warnings of a master as an HTTP Structured
 * Field List (RFC 8941), one item per warning, the code as a token and its
 * numbers and words as parameters:
 *
 *     loudness_goal_not_reached;goal_lufs=-5;reached_lufs=-6.21;short_by_lu=1.21;goal_source="target_lufs", target_clipped;clipped_runs=412
 *
 * Any structured-field parser reads it; a plain client can split on `, ` and
 * `;`. Messages stay in the diagnostics JSON (they are prose). The value is
 * ASCII and at most {@link MAX_WARNINGS_HEADER_CHARS}: past that, items lose
 * their parameters, then trailing items are left out (the diagnostics keep
 * them all). No warnings, no header (RFC 8941: an empty list is not sent).
 */
import type { MasteringWarning } from '../mastering/warnings.ts';

export const MAX_WARNINGS_HEADER_CHARS = 1024;

/** An sf-decimal has at most 3 fraction digits and 12 integer digits; an sf-string is printable ASCII. */
function bareItem(value: number | string | boolean): string | null {
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) >= 1e12) return null;
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  }
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return `"${printable.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/** A parameter key: lower-case letter first, then lower-case letters, digits, `_-.*`. */
const isKey = (key: string) => /^[a-z*][a-z0-9_\-.*]*$/.test(key);

function item(warning: MasteringWarning, withParameters: boolean): string {
  if (!withParameters) return warning.code;
  let text = warning.code;
  for (const [key, value] of Object.entries(warning)) {
    if (key === 'code' || key === 'message' || value === null || !isKey(key)) continue;
    const bare = bareItem(value);
    if (bare !== null) text += `;${key}=${bare}`;
  }
  return text;
}

/**
 * The header value, or null when there are no warnings.
 *
 * @example encodeWarningsHeader([{ code: 'target_clipped', message: '…', clipped_runs: 412 }]) // 'target_clipped;clipped_runs=412'
 */
export function encodeWarningsHeader(warnings: readonly MasteringWarning[]): string | null {
  if (warnings.length === 0) return null;
  const full = warnings.map((warning) => item(warning, true)).join(', ');
  if (full.length <= MAX_WARNINGS_HEADER_CHARS) return full;
  let value = '';
  for (const warning of warnings) {
    const next = value === '' ? warning.code : `${value}, ${warning.code}`;
    if (next.length > MAX_WARNINGS_HEADER_CHARS) break;
    value = next;
  }
  return value;
}
