/**
 * Container detection by magic bytes, and the filename-extension rule of SPEC
 * section 3. Detection never trusts the extension: a FLAC named `.wav` decodes
 * as FLAC; the extension only has to be one of the accepted three.
 */
import { IngestValidationError } from '../domain/errors.ts';

export type ContainerKind = 'wav' | 'flac' | 'mp3';

/** What the first bytes say: one of the accepted containers, a known refused one, or nothing known. */
export type DetectedContainer = ContainerKind | 'rf64' | 'unknown';

const ACCEPTED_EXTENSIONS = ['.wav', '.flac', '.mp3'] as const;

function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Names the container from its magic bytes: `RIFF....WAVE` → wav, `fLaC` → flac,
 * `ID3` or an MPEG audio frame sync (11 set bits) → mp3, `RF64`/`BW64` → rf64.
 *
 * @example detectContainer(new TextEncoder().encode('fLaC\0\0\0\x22')) // 'flac'
 */
export function detectContainer(bytes: Uint8Array): DetectedContainer {
  if (hasAscii(bytes, 0, 'RIFF') && hasAscii(bytes, 8, 'WAVE')) return 'wav';
  if ((hasAscii(bytes, 0, 'RF64') || hasAscii(bytes, 0, 'BW64')) && hasAscii(bytes, 8, 'WAVE')) return 'rf64';
  if (hasAscii(bytes, 0, 'fLaC')) return 'flac';
  if (hasAscii(bytes, 0, 'ID3')) return 'mp3';
  if (bytes.length >= 4 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) return 'mp3';
  return 'unknown';
}

/**
 * The lower-cased extension of `filename` (`'.wav'`), or null when it has none.
 *
 * @example filenameExtension('Take 3.FLAC') // '.flac'
 */
export function filenameExtension(filename: string): string | null {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : null;
}

/**
 * Refuses a filename whose extension is present but not `.wav`, `.flac` or
 * `.mp3` (`unsupported_container`); a name without an extension passes.
 *
 * @example checkFilenameExtension('mix.ogg') // throws unsupported_container
 */
export function checkFilenameExtension(filename: string | undefined): void {
  if (filename === undefined) return;
  const extension = filenameExtension(filename);
  if (extension !== null && !(ACCEPTED_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new IngestValidationError(
      'unsupported_container',
      `Files named ${extension} are not accepted; upload WAV, FLAC or MP3.`,
      { extension },
    );
  }
}
