/**
 * The references of a job, decoded and analysed: all that mastering needs of
 * them is their analysis and what `IngestValidated` says about them. This is
 * the work a runtime may move to another thread while the target is decoded
 * and analysed (runtimes/node/reference-analysis-thread.ts); here it runs on
 * the calling thread, one file at a time.
 */
import { bytesReader } from '../audio/byte-reader.ts';
import { foldToStereo } from '../audio/channels.ts';
import { checkUpload } from '../audio/decode.ts';
import type { DecodedAudio } from '../audio/pcm.ts';
import type { PcmSource } from '../audio/pcm-source.ts';
import { openWavSource } from '../audio/wav-source.ts';
import { IngestValidationError } from '../domain/errors.ts';
import type { IngestPolicy } from '../domain/policies.ts';
import { channelWeightsFor, measureLoudness } from '../dsp/loudness.ts';
import { analyzeTrack, analyzeTrackFrom, type TrackAnalysis } from '../mastering/analysis.ts';
import { decodeUpload, ingestSummary, naming, sourceIngestSummary } from './decode-upload.ts';
import type { MasteringUploadFile } from './ports.ts';

export interface AnalyzedReference {
  /** What `IngestValidated` says about the file. */
  readonly summary: Record<string, unknown>;
  readonly analysis: TrackAnalysis;
}

/**
 * Decodes and analyses a job's references, in the order given. Rejects with
 * the `IngestValidationError` of the first file that fails. With
 * `handling.owned` the uploads' buffers are the job's own, given up to the
 * analyzer: one that works on another thread may move them there instead of
 * copying them (they are detached here then).
 */
export type ReferenceAnalyzer = (
  uploads: readonly MasteringUploadFile[],
  policy: IngestPolicy,
  handling?: { readonly owned: boolean },
) => Promise<AnalyzedReference[]>;

/**
 * The reference's analysis: tone and dynamics of the stereo fold (what the
 * target's fold is compared with), loudness and true peak of its own channels
 * with BS.1770 weights, so a surround reference sets the goal it is
 * measured at (a 5.0 mix at −23 LUFS reads about −19.4 once folded).
 */
function analyzeReferenceAudio(reference: DecodedAudio): TrackAnalysis {
  const analysis = analyzeTrack(foldToStereo(reference));
  if (reference.channels.length <= 2) return analysis;
  const weights = channelWeightsFor(reference.channels.length, reference.channelMask);
  const loudness = measureLoudness(reference, { integrated: true, loudnessRange: true, truePeak: true }, weights);
  return { ...analysis, integratedLufs: loudness.integratedLufs, loudnessRangeLu: loudness.loudnessRangeLu, truePeakDbtp: loudness.truePeakDbtp };
}

/**
 * The {@link ReferenceAnalyzer} on the calling thread. Each reference is
 * decoded, summarised and analysed in turn, and only its analysis is kept:
 * a mono or stereo WAV is decoded block by block as it is analysed (the
 * same figures as whole), any other file whole, its samples released before
 * the next file is decoded, so no two decoded references ever occupy memory
 * together.
 *
 * @example const [{ analysis }] = await analyzeReferenceUploads([{ bytes }], DEFAULT_INGEST_POLICY);
 */
export async function analyzeReferenceUploads(uploads: readonly MasteringUploadFile[], policy: IngestPolicy): Promise<AnalyzedReference[]> {
  const analyzed: AnalyzedReference[] = [];
  for (const [index, upload] of uploads.entries()) {
    const referenceIndex = uploads.length > 1 ? index : undefined;
    // The size first: the decoder may take the upload's buffer in place.
    const sizeBytes = upload.bytes.byteLength;
    const inBlocks = analyzeWavInBlocks(upload, policy, referenceIndex);
    if (inBlocks) {
      analyzed.push(inBlocks);
      continue;
    }
    const reference = await decodeUpload('reference', upload, policy, { referenceIndex });
    analyzed.push({ summary: ingestSummary(reference, sizeBytes), analysis: analyzeReferenceAudio(reference) });
  }
  return analyzed;
}

/**
 * A mono or stereo WAV upload analysed as it is decoded in blocks: a
 * 3-minute reference decoded whole was ~64 MB of fresh float arrays (~0.1 s
 * of mapping pages on the VMs we measure on) that the analysis reads once.
 * Null for any other upload (decoded whole by {@link decodeUpload}); errors
 * are the ones decoding it whole throws, naming the reference.
 */
function analyzeWavInBlocks(upload: MasteringUploadFile, policy: IngestPolicy, referenceIndex: number | undefined): AnalyzedReference | null {
  const { bytes } = upload;
  const decoding = <T>(step: () => T): T => {
    try {
      return step();
    } catch (error) {
      // As decodeAudio reports them: a decoder's own exception is a corrupted file.
      const ingest = error instanceof IngestValidationError ? error : new IngestValidationError('corrupted_file', 'The audio file could not be decoded.', {}, { cause: error });
      throw naming(ingest, 'reference', referenceIndex);
    }
  };
  const source = decoding(() => (checkUpload(bytes, bytes.byteLength, policy, upload.filename) === 'wav' ? openWavSource(bytesReader(bytes), { policy, keepChannels: true }) : null));
  if (!source || source.channelCount > 2) return null;
  const { sampleRateHz, channelCount, length } = source;
  const blocks: PcmSource = { sampleRateHz, channelCount, length, read: (start, count) => decoding(() => source.read(start, count)) };
  return { summary: sourceIngestSummary(source, bytes.byteLength), analysis: analyzeTrackFrom(blocks) };
}
