// Decode smoke script for any runtime (Node, Deno, Bun): imports the public
// API from mod.ts, decodes each file given on the command line and prints one
// JSON line describing what came out, so a test can compare runtimes.
// Usage: deno run -A test/runtimes/decode-smoke.ts a.wav b.flac c.mp3
import { readFileSync } from 'node:fs';
import { decodeAudio, encodeWav } from '../../mod.ts';

interface Summary {
  file: string;
  container: string;
  codec: string;
  sampleRateHz: number;
  channels: number;
  frames: number;
  /** Sum of |x| over all samples: any decoding difference shows here. */
  checksum: number;
  /** Bytes of a 24-bit re-encode, exercising encodeWav in the same runtime. */
  wav24Bytes: number;
}

const paths = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
const summaries: Summary[] = [];
for (const file of paths) {
  const audio = await decodeAudio(new Uint8Array(readFileSync(file)), { filename: file });
  let checksum = 0;
  for (const channel of audio.channels) for (let i = 0; i < channel.length; i++) checksum += Math.abs(channel[i]);
  summaries.push({
    file,
    container: audio.container,
    codec: audio.codec,
    sampleRateHz: audio.sampleRateHz,
    channels: audio.channels.length,
    frames: audio.channels[0].length,
    checksum,
    wav24Bytes: encodeWav(audio, { bitDepth: 24 }).length,
  });
}
console.log(JSON.stringify(summaries));
