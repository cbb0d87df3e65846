// The streaming multipart splitter: every part's content comes out byte for
// byte however the body is cut into chunks (a boundary split across two
// chunks, a CR at a chunk's end), and malformed bodies or crossed limits are
// the parser package's errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MaxFileSizeExceededError, MaxHeaderSizeExceededError, MaxPartsExceededError, MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
import { splitMultipart, type PartHeading } from '../../core/http/multipart-stream.ts';

const BOUNDARY = '----audo-eq-7d1f';
const encoder = new TextEncoder();
const LIMITS = { maxHeaderBytes: 8192, maxParts: 16, maxPartBytes: 1 << 20 };

/** A body from parts, each `[headers, content]`, with an optional preamble and epilogue. */
function body(parts: Array<[string, Uint8Array]>, framing: { preamble?: string; epilogue?: string } = {}): Uint8Array {
  const pieces: Uint8Array[] = [];
  if (framing.preamble !== undefined) pieces.push(encoder.encode(`${framing.preamble}\r\n`));
  for (const [headers, content] of parts) {
    pieces.push(encoder.encode(`--${BOUNDARY}\r\n${headers}\r\n\r\n`), content, encoder.encode('\r\n'));
  }
  pieces.push(encoder.encode(`--${BOUNDARY}--\r\n${framing.epilogue ?? ''}`));
  const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.length;
  }
  return bytes;
}

function streamOf(bytes: Uint8Array, cuts: readonly number[]): ReadableStream<Uint8Array> {
  const edges = [0, ...cuts.filter((cut) => cut > 0 && cut < bytes.length), bytes.length];
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index + 1 >= edges.length) return controller.close();
      controller.enqueue(bytes.slice(edges[index], edges[index + 1]));
      index++;
    },
  });
}

/** Splits `bytes` (cut at `cuts`) and returns each part's heading and content. */
async function split(bytes: Uint8Array, cuts: readonly number[] = [], limits = LIMITS) {
  const parts: Array<{ heading: PartHeading; content: number[] }> = [];
  await splitMultipart(streamOf(bytes, cuts), BOUNDARY, limits, (heading) => {
    const part = { heading, content: [] as number[] };
    parts.push(part);
    return { write: (chunk) => void part.content.push(...chunk) };
  });
  return parts;
}

/** Content that looks like a boundary almost everywhere: CRs, LFs, dashes and the boundary minus its last byte. */
function nastyContent(): Uint8Array {
  const near = `\r\n--${BOUNDARY.slice(0, -1)}`;
  return encoder.encode(`\r\r\n\r\n-${near}x${near}\r\n-\r\n--\r${near}`);
}

const fileHeaders = (name: string, filename: string) => `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream`;

test('parts come out as the parser package reads them, for every single cut position and many double cuts', async () => {
  const audio = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 13) & 0xff);
  const bytes = body([
    [fileHeaders('target', 'mix.wav'), audio],
    ['Content-Disposition: form-data; name="note"', encoder.encode('hello')],
    [fileHeaders('reference', 'ref one.wav'), nastyContent()],
    [fileHeaders('empty', 'e.wav'), new Uint8Array(0)],
  ]);
  const expected = [...parseMultipart(bytes, { boundary: BOUNDARY })].map((part) => ({
    heading: { ...(part.name !== undefined ? { name: part.name } : {}), ...(part.filename !== undefined ? { filename: part.filename } : {}) },
    content: [...part.bytes],
  }));
  assert.is(expected.length, 4);
  for (let cut = 0; cut <= bytes.length; cut++) assert.equal(await split(bytes, [cut]), expected, `cut at ${cut}`);
  for (let first = 1; first < bytes.length; first += 7) {
    for (let width = 1; width < 80; width += 3) assert.equal(await split(bytes, [first, first + width]), expected, `cuts at ${first}, ${first + width}`);
  }
  // One byte at a time.
  assert.equal(await split(bytes, Array.from({ length: bytes.length }, (_, i) => i)), expected);
});

test('long binary parts full of near-delimiters (each byte of the delimiter changed in turn, its tail cut) come out as the parser package reads them, cut anywhere', async () => {
  let state = 7;
  const random = () => (state = (state * 1664525 + 1013904223) >>> 0) >>> 24;
  const delimiter = encoder.encode(`\r\n--${BOUNDARY}`);
  const pieces: number[] = [];
  for (let i = 0; i < delimiter.length; i++) {
    for (let k = 0; k < 50; k++) pieces.push(random());
    const near = [...delimiter];
    near[i] = (near[i] + 1 + (random() % 255)) & 0xff;
    pieces.push(...near, ...delimiter.slice(0, delimiter.length - 1 - (i % 5)));
  }
  const content = Uint8Array.from(pieces);
  const bytes = body([
    [fileHeaders('target', 'a.wav'), content],
    [fileHeaders('reference', 'b.wav'), content.slice().reverse()],
  ]);
  const expected = [...parseMultipart(bytes, { boundary: BOUNDARY })].map((part) => ({
    heading: { ...(part.name !== undefined ? { name: part.name } : {}), ...(part.filename !== undefined ? { filename: part.filename } : {}) },
    content: [...part.bytes],
  }));
  assert.equal(expected.map((part) => part.content.length), [content.length, content.length]);
  for (let run = 0; run < 40; run++) {
    const cuts = Array.from({ length: 1 + (run % 6) }, () => (random() * 256 + random()) % bytes.length).sort((a, b) => a - b);
    assert.equal(await split(bytes, cuts), expected, `cuts at ${cuts}`);
  }
});

test('a preamble and an epilogue are ignored; padding after a boundary is allowed', async () => {
  const bytes = body([[fileHeaders('target', 't.wav'), encoder.encode('abc')]], { preamble: 'This is a multipart body.', epilogue: 'trailing words\r\n' });
  assert.equal(await split(bytes), [{ heading: { name: 'target', filename: 't.wav' }, content: [...encoder.encode('abc')] }]);
  const padded = encoder.encode(`--${BOUNDARY} \t\r\nContent-Disposition: form-data; name="a"\r\n\r\nxyz\r\n--${BOUNDARY}--`);
  assert.equal(await split(padded), [{ heading: { name: 'a' }, content: [...encoder.encode('xyz')] }]);
});

test('a skipped part (null sink) is read past; its bytes still count against the part limit', async () => {
  const bytes = body([
    [fileHeaders('other', 'o.wav'), new Uint8Array(2000)],
    [fileHeaders('target', 't.wav'), encoder.encode('kept')],
  ]);
  const kept: number[] = [];
  await splitMultipart(streamOf(bytes, [100, 1500]), BOUNDARY, LIMITS, ({ name }) => (name === 'target' ? { write: (chunk) => void kept.push(...chunk) } : null));
  assert.equal(kept, [...encoder.encode('kept')]);
  const error = await splitMultipart(streamOf(bytes, []), BOUNDARY, { ...LIMITS, maxPartBytes: 1000 }, () => null).catch((e: unknown) => e);
  assert.instance(error, MaxFileSizeExceededError);
});

test('malformed bodies and crossed limits are the parser package errors', async () => {
  const cases: Array<[string, Uint8Array, Partial<typeof LIMITS>, new (...args: never[]) => Error]> = [
    ['no closing boundary', encoder.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc`), {}, MultipartParseError],
    ['no boundary at all', encoder.encode('just some text'), {}, MultipartParseError],
    ['bytes after a boundary', encoder.encode(`--${BOUNDARY}junk\r\n\r\nabc\r\n--${BOUNDARY}--`), {}, MultipartParseError],
    ['a part over the limit', body([[fileHeaders('target', 't.wav'), new Uint8Array(5000)]]), { maxPartBytes: 4999 }, MaxFileSizeExceededError],
    ['too many parts', body(Array.from({ length: 4 }, (_, i) => [`Content-Disposition: form-data; name="p${i}"`, encoder.encode('x')] as [string, Uint8Array])), { maxParts: 3 }, MaxPartsExceededError],
    ['a header block over the limit', body([[`Content-Disposition: form-data; name="a"\r\nX-Long: ${'y'.repeat(500)}`, encoder.encode('x')]]), { maxHeaderBytes: 200 }, MaxHeaderSizeExceededError],
  ];
  for (const [label, bytes, limits, expected] of cases) {
    for (const cuts of [[], [7], [bytes.length >> 1]]) {
      const error = await split(bytes, cuts, { ...LIMITS, ...limits }).then(() => null, (e: unknown) => e);
      assert.instance(error, expected, `${label} (cuts ${cuts})`);
    }
  }
  const exact = body([[fileHeaders('target', 't.wav'), new Uint8Array(5000)]]);
  assert.is((await split(exact, [], { ...LIMITS, maxPartBytes: 5000 }))[0].content.length, 5000, 'a part at the limit passes');
});

test('a sink that writes asynchronously holds the body back until it is done', async () => {
  const bytes = body([[fileHeaders('target', 't.wav'), Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff)]]);
  const order: string[] = [];
  let written = 0;
  await splitMultipart(streamOf(bytes, [1000, 2000, 3000]), BOUNDARY, LIMITS, () => ({
    async write(chunk) {
      order.push('start');
      await new Promise((resolve) => setTimeout(resolve, 2));
      written += chunk.length;
      order.push('end');
    },
  }));
  assert.is(written, 4096);
  assert.equal(order.join(','), Array(order.length / 2).fill('start,end').join(','), 'writes never overlap');
});

test.run();
