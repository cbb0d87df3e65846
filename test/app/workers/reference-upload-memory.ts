// Run by reference-uploads.test.ts in a fresh process: analyses one long
// stereo 16-bit WAV reference upload and prints the upload's size and the
// process's peak resident memory (kB), as JSON.
import { analyzeReferenceUploads } from '../../../core/app/reference-analysis.ts';
import { DEFAULT_INGEST_POLICY } from '../../../core/domain/policies.ts';
import { buildPcmWav } from '../../support/wav-builder.ts';

const minutes = Number(process.argv[2] ?? 15);
const bytes = buildPcmWav({ sampleRateHz: 44100, channels: 2, frames: minutes * 60 * 44100 });
const [{ analysis }] = await analyzeReferenceUploads([{ bytes, filename: 'long.wav' }], { ...DEFAULT_INGEST_POLICY, maxDurationSeconds: 3600, maxFileBytes: 2 ** 31 });
console.log(JSON.stringify({ uploadBytes: bytes.byteLength, maxRssKb: process.resourceUsage().maxRSS, integratedLufs: analysis.integratedLufs }));
