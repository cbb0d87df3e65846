/**
 * Splitting a `multipart/form-data` body into parts whose contents are handed
 * on piece by piece as they arrive, never gathered here: a 345 MB upload can
 * go to a temporary file while it streams (core/http/upload-spool.ts). The
 * multipart parser package gathers each part whole before it yields it, so
 * only its header parsing (`MultipartPart`: names, RFC 5987 filenames) and
 * error classes are used.
 */
import {
  MaxFileSizeExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MultipartParseError,
  MultipartPart,
} from '@remix-run/multipart-parser';

/** Where one part's content goes; `write` may be asynchronous (the body waits for it). */
export interface PartSink {
  write(chunk: Uint8Array): void | Promise<void>;
}

/** A part as its headers describe it. */
export interface PartHeading {
  readonly name?: string;
  readonly filename?: string;
}

export interface SplitLimits {
  /** Largest header block of one part. */
  readonly maxHeaderBytes: number;
  /** Most parts in the body. */
  readonly maxParts: number;
  /** Largest content of one part (`MaxFileSizeExceededError` beyond). */
  readonly maxPartBytes: number;
}

const CR = 13;
const ascii = (text: string) => Uint8Array.from(text, (character) => character.charCodeAt(0) & 0xff);
const CRLF = ascii('\r\n');
const CRLF_CRLF = ascii('\r\n\r\n');
/** Most bytes of transport padding (spaces, tabs) allowed after a boundary before its line break. */
const MAX_BOUNDARY_PADDING = 256;

/** First index of `needle` in `haystack` at or after `from`, or -1. */
function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = haystack.length - needle.length;
  for (let at = haystack.indexOf(needle[0], from); at !== -1 && at <= last; at = haystack.indexOf(needle[0], at + 1)) {
    let matched = 1;
    while (matched < needle.length && haystack[at + matched] === needle[matched]) matched++;
    if (matched === needle.length) return at;
  }
  return -1;
}

/**
 * A search for `needle` (the part delimiter, tens of bytes) that skips ahead
 * by the Boyer–Moore–Horspool rule: in audio bytes it looks at about one byte
 * in `needle.length` instead of stopping at every byte that equals the
 * needle's first (a CR is one byte in 256 of a WAV file). Finds what
 * {@link indexOfBytes} finds.
 *
 * @example const find = byteSearch(delimiter); find(chunk, 0) // index or -1
 */
function byteSearch(needle: Uint8Array): (haystack: Uint8Array, from: number) => number {
  const length = needle.length;
  if (length < 4) return (haystack, from) => indexOfBytes(haystack, needle, from);
  const last = length - 1;
  // How far the window may move when its last byte is b: from the rightmost b in the needle before its end.
  const shift = new Uint32Array(256).fill(length);
  for (let i = 0; i < last; i++) shift[needle[i]] = last - i;
  const final = needle[last];
  return (haystack, from) => {
    for (let at = from; at + last < haystack.length; at += shift[haystack[at + last]]) {
      if (haystack[at + last] !== final) continue;
      let i = 0;
      while (i < last && haystack[at + i] === needle[i]) i++;
      if (i === last) return at;
    }
    return -1;
  };
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  if (head.length === 0) return tail;
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head, 0);
  joined.set(tail, head.length);
  return joined;
}

type State = 'preamble' | 'boundary-line' | 'headers' | 'body' | 'epilogue';

/**
 * Reads `body` to its end, calling `onPart` at each part's headers and
 * writing the part's content to the sink it returns (null: the content is
 * skipped, still counted against `maxPartBytes`). Throws the parser
 * package's errors (`MultipartParseError` and its subclasses) for a malformed
 * body or a limit crossed, and whatever the body stream or a sink throws.
 *
 * @example
 * await splitMultipart(request.body!, boundary, { maxHeaderBytes: 8192, maxParts: 16, maxPartBytes: 1 << 30 }, ({ name }) => (name === 'target' ? sink : null));
 */
export async function splitMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  limits: SplitLimits,
  onPart: (heading: PartHeading) => PartSink | null | Promise<PartSink | null>,
): Promise<void> {
  const delimiter = ascii(`\r\n--${boundary}`);
  const findDelimiter = byteSearch(delimiter);
  let state: State = 'preamble';
  // The first boundary may open the body without a line break before it: one is assumed.
  let carry: Uint8Array = CRLF;
  let sink: PartSink | null = null;
  let partBytes = 0;
  let parts = 0;

  const emit = async (content: Uint8Array) => {
    if (content.length === 0) return;
    partBytes += content.length;
    if (partBytes > limits.maxPartBytes) throw new MaxFileSizeExceededError(limits.maxPartBytes);
    await sink?.write(content);
  };

  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (state === 'epilogue') continue;
      const pending = concat(carry, value);
      carry = new Uint8Array(0);
      let at = 0;
      scan: for (;;) {
        switch (state) {
          case 'preamble': {
            const found = findDelimiter(pending, at);
            if (found === -1) {
              carry = pending.subarray(Math.max(at, pending.length - delimiter.length + 1));
              break scan;
            }
            at = found + delimiter.length;
            state = 'boundary-line';
            continue;
          }
          case 'boundary-line': {
            if (pending.length - at < 2) {
              carry = pending.subarray(at);
              break scan;
            }
            if (pending[at] === 45 && pending[at + 1] === 45) {
              state = 'epilogue';
              break scan;
            }
            const lineEnd = indexOfBytes(pending, CRLF, at);
            if (lineEnd === -1) {
              if (pending.length - at > MAX_BOUNDARY_PADDING) throw new MultipartParseError('Invalid multipart stream: no line break after a boundary');
              carry = pending.subarray(at);
              break scan;
            }
            for (let i = at; i < lineEnd; i++) {
              if (pending[i] !== 32 && pending[i] !== 9) throw new MultipartParseError('Invalid multipart stream: unexpected bytes after a boundary');
            }
            // The line break stays: an empty header block is then the CRLF CRLF at `at`.
            at = lineEnd;
            state = 'headers';
            continue;
          }
          case 'headers': {
            const headersEnd = indexOfBytes(pending, CRLF_CRLF, at);
            if (headersEnd === -1) {
              if (pending.length - at > limits.maxHeaderBytes) throw new MaxHeaderSizeExceededError(limits.maxHeaderBytes);
              carry = pending.subarray(at);
              break scan;
            }
            if (headersEnd - at > limits.maxHeaderBytes) throw new MaxHeaderSizeExceededError(limits.maxHeaderBytes);
            if (++parts > limits.maxParts) throw new MaxPartsExceededError(limits.maxParts);
            // A copy: the header bytes must not keep this whole chunk alive.
            const part = new MultipartPart(pending.slice(Math.min(at + 2, headersEnd), headersEnd), []);
            const filename = part.filename;
            sink = await onPart({ ...(part.name !== undefined ? { name: part.name } : {}), ...(filename !== undefined ? { filename } : {}) });
            partBytes = 0;
            at = headersEnd + CRLF_CRLF.length;
            state = 'body';
            continue;
          }
          case 'body': {
            const found = findDelimiter(pending, at);
            if (found !== -1) {
              await emit(pending.subarray(at, found));
              sink = null;
              at = found + delimiter.length;
              state = 'boundary-line';
              continue;
            }
            // A delimiter that starts early enough to fit would have been found: only a CR in the
            // last delimiter-length bytes can begin one, so everything before it is content.
            const tailStart = Math.max(at, pending.length - delimiter.length + 1);
            const held = pending.indexOf(CR, tailStart);
            const contentEnd = held === -1 ? pending.length : held;
            await emit(pending.subarray(at, contentEnd));
            carry = pending.subarray(contentEnd);
            break scan;
          }
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (state !== 'epilogue') throw new MultipartParseError('Multipart stream not finished');
}
