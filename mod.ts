/**
 * audo-eq public API: an embeddable fetch handler and the DSP entry points.
 *
 * @example
 * import { createHandler } from './mod.ts';
 * Deno.serve(createHandler());
 */
import { createApp, type FetchHandler } from './core/http/app.ts';

export type { FetchHandler } from './core/http/app.ts';
export type { PcmAudio, DecodedAudio } from './core/audio/pcm.ts';
export { AudoEqError, IngestValidationError, ERROR_TABLE } from './core/domain/errors.ts';
export type { ErrorCode, IngestErrorCode } from './core/domain/errors.ts';
export type { DomainEvent, DomainEventName, EventPublisher } from './core/domain/events.ts';
export { decodeAudio } from './core/audio/decode.ts';
export type { DecodeOptions } from './core/audio/decode.ts';
export { encodeWav } from './core/audio/wav-encode.ts';
export type { WavBitDepth, WavEncodeOptions } from './core/audio/wav-encode.ts';
export { DEFAULT_INGEST_POLICY, DEFAULT_NORMALIZATION_POLICY, POLICY_VERSION } from './core/domain/policies.ts';
export type { IngestPolicy, NormalizationPolicy } from './core/domain/policies.ts';
export { master } from './core/mastering/master.ts';
export type { MasterOptions, MasterResult } from './core/mastering/master.ts';
export type { MasteringDiagnostics } from './core/mastering/diagnostics.ts';
export type { MasteringRequestOptions, EqMode, EqPreset, DeEsserMode, ProfileId, BitDepth } from './core/mastering/options.ts';
export { measureLoudness, createLoudnessMeter, defaultChannelWeights } from './core/dsp/loudness.ts';
export type { LoudnessCapabilities, LoudnessMeter, LoudnessMeterOptions, LoudnessResult } from './core/dsp/loudness.ts';
export { measureTruePeak, createTruePeakDetector, designTruePeakFilter } from './core/dsp/truepeak.ts';
export type { TruePeakDetector, TruePeakFilter } from './core/dsp/truepeak.ts';
export { measureLevels } from './core/dsp/levels.ts';
export type { SignalLevels } from './core/dsp/levels.ts';

/** Options for {@link createHandler}; every port has an embedded default. */
export interface HandlerOptions {}

/**
 * Creates the audo-eq HTTP handler, `(req: Request) => Promise<Response>`, for
 * any fetch-based server (Deno.serve, Bun.serve, node:http via the Node adapter).
 */
export function createHandler(_options: HandlerOptions = {}): FetchHandler {
  return createApp();
}
