/**
 * ID3v2 tags at the start of an MP3: their 10-byte headers are validated and
 * the tags skipped, so that frame validation starts where audio starts. The
 * tag size is four "sync-safe" bytes (7 bits each, top bit clear); a set top
 * bit means the header is broken and the size cannot be trusted.
 */
import { IngestValidationError } from '../domain/errors.ts';

const HEADER_BYTES = 10;
const FOOTER_BYTES = 10;
const FLAG_FOOTER_PRESENT = 0x10;

function malformed(message: string, details: Record<string, unknown> = {}): IngestValidationError {
  return new IngestValidationError('id3_malformed_header', message, details);
}

/**
 * True when an ID3v2 header ("ID3") starts at `offset`.
 *
 * @example hasId3v2Header(new TextEncoder().encode('ID3\x04'), 0) // true
 */
export function hasId3v2Header(bytes: Uint8Array, offset: number): boolean {
  return offset + 3 <= bytes.length && bytes[offset] === 0x49 && bytes[offset + 1] === 0x44 && bytes[offset + 2] === 0x33;
}

/**
 * Returns the offset just past every ID3v2 tag that starts at `offset`
 * (`offset` itself when there is none). Throws `id3_malformed_header` when a
 * tag header is cut short, has a 0xFF version byte, non-sync-safe size bytes,
 * or a size running past the end of the file.
 *
 * @example skipId3v2Tags(bytes) // 2058 for a file with a 2048-byte tag body
 */
export function skipId3v2Tags(bytes: Uint8Array, offset = 0): number {
  let position = offset;
  while (hasId3v2Header(bytes, position)) {
    if (position + HEADER_BYTES > bytes.length) throw malformed('The file ends inside an ID3v2 tag header.');
    const major = bytes[position + 3];
    const revision = bytes[position + 4];
    const flags = bytes[position + 5];
    if (major === 0xff || revision === 0xff) {
      throw malformed(`The ID3v2 version bytes (${major}.${revision}) are invalid.`, { offset: position });
    }
    let size = 0;
    for (let i = 6; i < 10; i++) {
      const byte = bytes[position + i];
      if (byte & 0x80) {
        throw malformed('The ID3v2 tag size bytes are not sync-safe (a top bit is set).', { offset: position });
      }
      size = size * 128 + byte;
    }
    const footer = major >= 4 && (flags & FLAG_FOOTER_PRESENT) !== 0 ? FOOTER_BYTES : 0;
    const end = position + HEADER_BYTES + size + footer;
    if (end > bytes.length) {
      throw malformed(`The ID3v2 tag claims ${size} bytes, past the end of the file.`, { offset: position, tag_bytes: size });
    }
    position = end;
  }
  return position;
}
