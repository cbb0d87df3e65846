// `audo-eq analyze FILE [--json]`: measures one audio file and prints its
// integrated loudness, loudness range, true peak, sample peak, RMS, crest
// factor and duration, as aligned text or as one JSON object. Surround files
// are measured on their own channels with BS.1770 weights, never a downmix.
// A WAV file is read in blocks (memory set by the block, not the duration);
// FLAC and MP3 are decoded whole first.
import { stat } from 'node:fs/promises';
import { readFileBytes } from '../../file-bytes.ts';
import { USAGE_EXIT_CODE, UsageError, parseCommandArgs } from '../args.ts';
import { MAX_DURATION_FLAG_SPEC, localIngestPolicyFromFlags } from '../local-ingest.ts';
import type { IngestPolicy } from '../../../../core/domain/policies.ts';
import { decodeAudio } from '../../../../core/audio/decode.ts';
import { memorySource, type PcmSource } from '../../../../core/audio/pcm-source.ts';
import { AudoEqError } from '../../../../core/domain/errors.ts';
import { levelsTap } from '../../../../core/dsp/levels.ts';
import { channelWeightsFor, DEFAULT_LOUDNESS_CAPABILITIES } from '../../../../core/dsp/loudness.ts';
import { loudnessTap } from '../../../../core/dsp/loudness-tap.ts';
import { openWavFileSource } from '../../wav-file-source.ts';

/** Frames the meters are fed at a time (whatever the size, they measure the same). */
const ANALYSIS_BLOCK_FRAMES = 65536;

export const ANALYZE_USAGE = 'usage: audo-eq analyze FILE [--json] [--max-duration SECONDS]';

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...MAX_DURATION_FLAG_SPEC,
} as const;

/** The measurement JSON; null stands for −∞ (silence) or for audio too short to measure. */
export interface AnalysisReport {
  file: string;
  durationSeconds: number;
  sampleRateHz: number;
  channels: number;
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  rmsDbfs: number | null;
  crestFactorDb: number | null;
}

/** Rounds to 0.01: the meters are accurate to about 0.1 dB, more digits would only be noise. */
const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

/**
 * Measures decoded audio for the report (integrated loudness, LRA and true
 * peak through one meter pass, weighted by the speaker positions of
 * `channelMask`; levels through another).
 *
 * @example const report = analyzeAudio('mix.wav', await decodeAudio(bytes, { filename: 'mix.wav', keepChannels: true }));
 */
export function analyzeAudio(file: string, audio: { sampleRateHz: number; channels: Float32Array[]; channelMask: number | null }): AnalysisReport {
  return analyzeSource(file, memorySource(audio), audio.channelMask);
}

/**
 * {@link analyzeAudio} of audio read in blocks from `source` (a WAV file, say):
 * the meters are fed block by block and give what they give for the whole.
 *
 * @example const report = analyzeSource('long.wav', source, source.channelMask);
 */
export function analyzeSource(file: string, source: PcmSource, channelMask: number | null): AnalysisReport {
  const { sampleRateHz, channelCount, length } = source;
  const loudnessMeter = loudnessTap({ sampleRateHz, channelCount, capabilities: DEFAULT_LOUDNESS_CAPABILITIES, channelWeights: channelWeightsFor(channelCount, channelMask) });
  const levelsMeter = levelsTap(channelCount);
  for (let start = 0; start < length; start += ANALYSIS_BLOCK_FRAMES) {
    const block = source.read(start, ANALYSIS_BLOCK_FRAMES);
    loudnessMeter.push(block);
    levelsMeter.push(block);
  }
  const loudness = loudnessMeter.result();
  const levels = levelsMeter.result();
  return {
    file,
    durationSeconds: Math.round((length / sampleRateHz) * 1000) / 1000,
    sampleRateHz,
    channels: channelCount,
    integratedLufs: round2(loudness.integratedLufs),
    loudnessRangeLu: round2(loudness.loudnessRangeLu),
    truePeakDbtp: round2(loudness.truePeakDbtp),
    samplePeakDbfs: round2(levels.samplePeakDbfs),
    rmsDbfs: round2(levels.rmsDbfs),
    crestFactorDb: round2(levels.crestFactorDb),
  };
}

/** One aligned line per measure; a missing value reads -inf for silence and n/a otherwise (too short to gate). */
export function formatAnalysis(report: AnalysisReport): string {
  const silent = report.samplePeakDbfs === null;
  const value = (v: number | null, unit: string) => (v === null ? (silent ? `-inf ${unit}` : 'n/a') : `${v.toFixed(2)} ${unit}`);
  const rows: Array<[string, string]> = [
    ['file', report.file],
    ['duration', `${report.durationSeconds.toFixed(3)} s`],
    ['sample rate', `${report.sampleRateHz} Hz`],
    ['channels', String(report.channels)],
    ['integrated', value(report.integratedLufs, 'LUFS')],
    ['loudness range', report.loudnessRangeLu === null ? 'n/a' : `${report.loudnessRangeLu.toFixed(2)} LU`],
    ['true peak', value(report.truePeakDbtp, 'dBTP')],
    ['sample peak', value(report.samplePeakDbfs, 'dBFS')],
    ['RMS', value(report.rmsDbfs, 'dBFS')],
    ['crest factor', report.crestFactorDb === null ? 'n/a' : `${report.crestFactorDb.toFixed(2)} dB`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `${label.padEnd(width)}  ${text}`).join('\n');
}

/**
 * Runs `audo-eq analyze` with the arguments after the command name and returns
 * the exit code: 0 on success, 2 for a usage error (bad arguments, no such
 * file), 1 when the file is not audio we accept (the line names the error code).
 *
 * @example process.exitCode = await runAnalyzeCommand(['mix.wav', '--json']);
 */
export async function runAnalyzeCommand(args: string[]): Promise<number> {
  let file: string;
  let json: boolean;
  let policy: IngestPolicy;
  try {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, { allowPositionals: true });
    if (values.help) {
      console.log(ANALYZE_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`expected one FILE, got ${positionals.length}`);
    [file] = positionals;
    json = values.json === true;
    policy = localIngestPolicyFromFlags(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`audo-eq analyze: ${error.message} (${ANALYZE_USAGE})`);
    return USAGE_EXIT_CODE;
  }
  const isFile = await stat(file).then((s) => s.isFile(), () => false);
  if (!isFile) {
    console.error(`audo-eq analyze: no such file: ${file}`);
    return USAGE_EXIT_CODE;
  }

  let report: AnalysisReport;
  try {
    const wav = openWavFileSource(file, { filename: file, policy, keepChannels: true });
    if (wav) {
      try {
        report = analyzeSource(file, wav, wav.channelMask);
      } finally {
        wav.close();
      }
    } else {
      report = analyzeAudio(file, await decodeAudio(await readFileBytes(file), { filename: file, policy, keepChannels: true }));
    }
  } catch (error) {
    if (error instanceof AudoEqError) {
      console.error(`audo-eq analyze: ${error.code}: ${error.message}`);
      return 1;
    }
    console.error(`audo-eq analyze: internal_error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  console.log(json ? JSON.stringify(report) : formatAnalysis(report));
  return 0;
}
