/**
 * References given as files: a stereo or mono WAV is read in blocks from its
 * file and analysed as it is read (`analyzeTrackFrom`), so a reference costs
 * its analysis data rather than its samples; any other file (FLAC, MP3,
 * surround, whose fold and own-channel loudness need the whole track) is read
 * and decoded whole as an upload is. Runs wherever it is called: on the
 * calling thread, or in the reference analysis thread.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { naming, sourceIngestSummary } from '../../core/app/decode-upload.ts';
import { analyzeReferenceUploads, type AnalyzedReference } from '../../core/app/reference-analysis.ts';
import type { IngestPolicy } from '../../core/domain/policies.ts';
import { analyzeTrackFrom } from '../../core/mastering/analysis.ts';
import { readFileBytes } from './file-bytes.ts';
import { openWavFileSource } from './wav-file-source.ts';

/**
 * Analyses the reference files at `paths` in turn under `policy`; an ingest
 * error names the reference (`part`, and `reference_index` among several),
 * as for uploads.
 *
 * @example const [{ analysis }] = await analyzeReferenceFiles(['ref.wav'], policy);
 */
export async function analyzeReferenceFiles(paths: readonly string[], policy: IngestPolicy): Promise<AnalyzedReference[]> {
  const analyzed: AnalyzedReference[] = [];
  for (const [index, path] of paths.entries()) {
    const referenceIndex = paths.length > 1 ? index : undefined;
    const filename = basename(path);
    let source;
    try {
      source = openWavFileSource(path, { filename, policy, keepChannels: true });
    } catch (error) {
      throw naming(error, 'reference', referenceIndex);
    }
    if (source && source.channelCount <= 2) {
      try {
        analyzed.push({ summary: sourceIngestSummary(source, statSync(path).size), analysis: analyzeTrackFrom(source) });
      } catch (error) {
        throw naming(error, 'reference', referenceIndex);
      } finally {
        source.close();
      }
      continue;
    }
    source?.close();
    const [whole] = await analyzeReferenceUploads([{ bytes: await readFileBytes(path), filename }], policy).catch((error: unknown) => {
      throw naming(error, 'reference', referenceIndex);
    });
    analyzed.push(whole);
  }
  return analyzed;
}
