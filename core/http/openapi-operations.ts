/**
 * Per-operation OpenAPI text: summaries, parameters, request bodies, success
 * responses and the error codes each operation can answer with. Error
 * responses themselves are generated from the error table in `openapi.ts`.
 */
import { INGEST_ERROR_CODES, type ErrorCode } from '../domain/errors.ts';
import { DEFAULT_LIMITS, MAX_REFERENCES } from '../domain/limits.ts';
import { MASTER_RESPONSE_HEADERS } from './headers.ts';
import { MASTER_QUERY_PARAMETERS } from './query.ts';
import { CEILING_DBTP_RANGE, STRENGTH_RANGE, TARGET_LUFS_RANGE } from '../mastering/options.ts';

export interface OperationDescription {
  readonly tag: 'mastering' | 'analysis' | 'jobs' | 'operations';
  readonly summary: string;
  readonly description: string;
  readonly parameters?: readonly Record<string, unknown>[];
  readonly requestBody?: Record<string, unknown>;
  readonly responses: Record<string, unknown>;
  /** Error codes besides `internal_error` (always) and `unauthorized` (with API keys). */
  readonly errors: readonly ErrorCode[];
}

const correlationHeader = { 'X-Correlation-Id': { $ref: '#/components/headers/X-Correlation-Id' } };

const queryDescriptions: Record<keyof typeof MASTER_QUERY_PARAMETERS, string> = {
  eq_mode: '`fixed` applies preset shelves; `reference-match` also matches the reference’s spectrum.',
  eq_preset: 'Tonal preset; also picks the profile when `profile` is absent.',
  de_esser_mode: '`auto` adds a dynamic de-esser on 5–10 kHz.',
  profile: 'Profile or alias (`reference-mastering-*`, `streaming-balanced`, `streaming-loud`); default: chosen by the preset.',
  target_lufs: `Explicit loudness goal in LUFS, ${TARGET_LUFS_RANGE.min} to ${TARGET_LUFS_RANGE.max}; wins over \`loudness_preset\`; default: the reference’s integrated loudness.`,
  loudness_preset: 'Platform loudness target: its integrated loudness and true-peak ceiling (spotify −14/−1, apple-music −16/−1, youtube −14/−1, amazon-music −14/−2, tidal −14/−1, ebu-r128 −23/−1, podcast −16/−1, cd −9/−0.3), instead of the reference’s loudness.',
  ceiling_dbtp: `The limiter’s true-peak ceiling (BS.1770 true peak), ${CEILING_DBTP_RANGE.min} to ${CEILING_DBTP_RANGE.max} dBTP; wins over the preset’s; default: the profile’s (−1.0 for \`default\`).`,
  strength: `How far every matching move (tone, width, dynamics) goes toward the reference, ${STRENGTH_RANGE.min} to ${STRENGTH_RANGE.max}; the loudness goal and the ceiling hold at any strength.`,
  match: 'Dimensions matched to the reference, a comma list of `loudness`, `tone`, `dynamics`, `width` (default all), or `none`; a dimension left out stays as the target has it.',
  sample_rate: 'Output sample rate: `keep` (the target’s) or 44100, 48000, 88200, 96000 (resampled before mastering).',
  preview: '`true` analyses and decides on the whole track but renders only its loudest 30 s, with 1 s fades.',
  bit_depth: 'Output WAV sample format: `16` (TPDF-dithered), `24`, `32` (IEEE float).',
};

/** The query parameters of `POST /master`, shared by `POST /jobs`. */
export const MASTER_OPERATION_PARAMETERS: readonly Record<string, unknown>[] = Object.entries(MASTER_QUERY_PARAMETERS).map(([name, spec]) => {
  const numberRanges: Record<string, { min: number; max: number }> = { target_lufs: TARGET_LUFS_RANGE, ceiling_dbtp: CEILING_DBTP_RANGE, strength: STRENGTH_RANGE };
  const range = numberRanges[name];
  const schema = range
    ? { type: 'number', minimum: range.min, maximum: range.max, ...(spec.default !== null ? { default: Number(spec.default) } : {}) }
    : name === 'match'
      ? { type: 'string', pattern: '^(none|(loudness|tone|dynamics|width)(,(loudness|tone|dynamics|width))*)$', default: spec.default }
      : { type: 'string', enum: [...spec.allowed], ...(spec.default !== null ? { default: spec.default } : {}) };
  return {
    name,
    in: 'query',
    required: false,
    description: `${queryDescriptions[name as keyof typeof MASTER_QUERY_PARAMETERS]} Case-insensitive; an empty value counts as absent.`,
    schema,
  };
});

const masterHeaders: Record<string, unknown> = {};
for (const name of Object.values(MASTER_RESPONSE_HEADERS)) masterHeaders[name] = { $ref: `#/components/headers/${name}` };

const audioFile = {
  type: 'string',
  contentMediaType: 'application/octet-stream',
  description:
    'WAV (PCM 8/16/24/32-bit, float 32/64, extensible), FLAC or MP3 (MPEG-1 Layer III); 8–192 kHz, 1–8 channels; ' +
    `up to the server’s duration limit (default ${DEFAULT_LIMITS.maxDurationSeconds} s, \`duration_too_long\` beyond) and file limit ` +
    `(default ${DEFAULT_LIMITS.maxFileBytes} bytes, what that hour of 24-bit 48 kHz stereo needs plus 8 MiB; \`file_too_large\` beyond). ` +
    `Files over ${DEFAULT_LIMITS.uploadSpoolThresholdBytes} bytes wait in a temporary file, not in memory, while they arrive (Node server).`,
};

/** The multipart body of `POST /master`, shared by `POST /jobs`. */
export const MASTER_UPLOAD_BODY: Record<string, unknown> = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['target', 'reference'],
        properties: {
          target: audioFile,
          reference: {
            type: 'array',
            items: audioFile,
            minItems: 1,
            maxItems: MAX_REFERENCES,
            description: `The reference: the part sent once, or up to ${MAX_REFERENCES} times (one more is \`too_many_references\`). Several references are combined into one goal, each weighted by its integrated loudness (in power), for tone, width, dynamics and loudness; their order changes nothing. All files together stay within the request’s total size limit. An ingest error about one of several references names it with \`reference_index\` (1-based, in the order sent).`,
          },
        },
      },
      encoding: { target: { contentType: 'application/octet-stream' }, reference: { contentType: 'application/octet-stream' } },
    },
  },
};

export const OPERATIONS: Readonly<Record<string, OperationDescription>> = {
  getHealth: {
    tag: 'operations',
    summary: 'Liveness',
    description: 'Always cheap; answers while mastering runs. Never needs an API key.',
    responses: {
      '200': {
        description: 'The process is alive.',
        headers: correlationHeader,
        content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } } } },
      },
    },
    errors: [],
  },
  getReady: {
    tag: 'operations',
    summary: 'Readiness',
    description:
      'Checks that storage (a bucket HEAD for S3, a write for the filesystem), the deferred-persistence queue and the job queue (when configured) answer, each within the ready timeout (`AUDO_EQ_READY_TIMEOUT_MS`, default 2 s); a round of checks answers for 1 s, so an outage shows within about 3 s and recovery likewise. Lists each check (the queue with its depth, oldest task age and dead letters); a `503 not_ready` names the failed dependencies in `failed` and, for storage, the classified `code` and the settings to `check`.',
    responses: {
      '200': {
        description: 'Every dependency answered.',
        headers: correlationHeader,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['status', 'checks'], properties: { status: { const: 'ready' }, checks: { $ref: '#/components/schemas/ReadyChecks' } } },
          },
        },
      },
    },
    errors: ['not_ready'],
  },
  postMaster: {
    tag: 'mastering',
    summary: 'Master a target against a reference',
    description:
      'Upload `target` and `reference` as multipart/form-data file parts (`reference` up to ' + MAX_REFERENCES + ' times, see the body). The body is parsed while it streams: a part over the per-file limit is `file_too_large`, a body over the total limit is `413 request_too_large` before it is read whole. The mastered WAV is persisted per the server’s policy (`X-Artifact-Persistence-Status`). A master made with warnings (goal not reached, silent or clipped target, limited reference) is still `200` and lists them in `X-Mastering-Warnings` and the diagnostics; a silent reference (every reference, when several are sent) without `target_lufs` or `loudness_preset` is `422 silent_reference` (there is nothing to match).',
    parameters: MASTER_OPERATION_PARAMETERS,
    requestBody: MASTER_UPLOAD_BODY,
    responses: {
      '200': {
        description: 'The mastered audio.',
        headers: masterHeaders,
        content: { 'audio/wav': { schema: { type: 'string', contentMediaType: 'audio/wav' } } },
      },
    },
    errors: ['invalid_query_parameter', 'invalid_payload', ...INGEST_ERROR_CODES, 'too_many_references', 'silent_reference', 'request_too_large', 'storage_unavailable', 'overloaded'],
  },
  getArtifact: {
    tag: 'mastering',
    summary: 'A mastered artifact by its key',
    description:
      'The artifact `POST /master` answered with in `X-Mastered-Object-Key` (`mastered/<uuid>.wav`; the slash stays a path separator). `200` with the WAV once stored (from either backend; the filesystem backend’s `X-Mastered-Object-Url` is this route); `202` with `{"key","status":"deferred","queued_at"}` and `Retry-After` while a deferred artifact waits in the queue (answered by the instance that queued it, or any instance when the queue can tell); `404 artifact_not_found` when nothing is stored or queued under the key (never stored, removed by retention, or storage disabled). The key is checked before any storage call: only `mastered/` plus one file name of letters, digits, `.`, `_`, `-`; percent-encoding, dot segments, backslashes, absolute and doubled separators are `400 invalid_artifact_key`. Same API keys as `/master`; keys are unguessable and not tied to the key that made them.',
    parameters: [
      { name: 'key', in: 'path', required: true, description: 'The object key, e.g. `mastered/1f0e…wav`.', schema: { type: 'string', pattern: '^mastered/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' } },
    ],
    responses: {
      '200': {
        description: 'The stored artifact.',
        headers: { ...correlationHeader, 'X-Mastered-Object-Key': { $ref: '#/components/headers/X-Mastered-Object-Key' } },
        content: { 'audio/wav': { schema: { type: 'string', contentMediaType: 'audio/wav' } } },
      },
      '202': {
        description: 'Queued for deferred storage; not stored yet. Ask again after `Retry-After` seconds.',
        headers: { ...correlationHeader, 'Retry-After': { description: 'Seconds to wait before asking again.', schema: { type: 'integer' } } },
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['key', 'status', 'queued_at'],
              properties: { key: { type: 'string' }, status: { const: 'deferred' }, queued_at: { type: 'string', format: 'date-time' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
    errors: ['invalid_artifact_key', 'artifact_not_found', 'storage_unavailable'],
  },
  postAnalyze: {
    tag: 'analysis',
    summary: 'Measure one track',
    description:
      'Upload one audio file as the multipart/form-data file part `file`; get its integrated loudness, loudness range, true peak, sample peak, RMS, crest factor, duration, sample rate and channels, its long-term 1/3-octave spectrum (level-normalised) and its short-term loudness every 100 ms, as JSON. Same streaming upload, limits and ingest errors as `/master` (ingest errors name `part: file`); the body may hold one file plus 1 MiB of form overhead. The web page at `/` draws its plots and table from this.',
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: { type: 'object', required: ['file'], properties: { file: audioFile } },
          encoding: { file: { contentType: 'application/octet-stream' } },
        },
      },
    },
    responses: {
      '200': {
        description: 'The measurements.',
        headers: correlationHeader,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/TrackAnalysis' } } },
      },
    },
    errors: ['invalid_payload', ...INGEST_ERROR_CODES, 'request_too_large', 'overloaded'],
  },
  getPage: {
    tag: 'mastering',
    summary: 'Web page: master, listen, compare',
    description:
      'A self-contained page (no external assets; works offline): pick a target and one to five references, set the `/master` options (a strength slider, one switch per `match` dimension, loudness preset, ceiling, sample rate…), master with upload progress or preview the loudest 30 s, then listen to target, reference and result with a level-matched A/B switch, download the result, and compare spectra, short-term loudness and a metrics table drawn from `/analyze`. When the server requires API keys, paste one into the page (kept in the page’s memory only).',
    responses: { '200': { description: 'The page.', headers: correlationHeader, content: { 'text/html': { schema: { type: 'string' } } } } },
    errors: [],
  },
  getOpenApi: {
    tag: 'operations',
    summary: 'This OpenAPI 3.1 document',
    description: 'Every route, parameter, header and error of the API.',
    responses: { '200': { description: 'The document.', headers: correlationHeader, content: { 'application/json': { schema: { type: 'object' } } } } },
    errors: [],
  },
  getDocs: {
    tag: 'operations',
    summary: 'Interactive API documentation',
    description: 'An HTML page rendered from `/openapi.json` in the browser, with a form to try each operation. Works offline (no external assets).',
    responses: { '200': { description: 'The page.', headers: correlationHeader, content: { 'text/html': { schema: { type: 'string' } } } } },
    errors: [],
  },
  getMetrics: {
    tag: 'operations',
    summary: 'Prometheus metrics',
    description: 'Text exposition format 0.0.4: requests by route and status, request latency, mastering time, persistence outcomes, masterings in flight; in deferred mode queue depth, oldest task age, dead letters and worker outcomes.',
    responses: {
      '200': { description: 'The metrics.', headers: correlationHeader, content: { 'text/plain': { schema: { type: 'string' } } } },
    },
    errors: [],
  },
};
