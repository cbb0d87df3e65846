/**
 * The page's words that are not the API's own: a label and a one-line hint
 * per mastering option, and what a user can do about each error code. Typed
 * against the option and error tables, so a new option or code cannot ship
 * without its text (the compiler refuses a missing key).
 */
import type { ErrorCode } from '../../domain/errors.ts';
import type { MasterQueryParameter } from '../query.ts';

export const OPTION_COPY: Readonly<Record<MasterQueryParameter, { readonly label: string; readonly hint: string }>> = {
  eq_mode: { label: 'EQ mode', hint: 'reference-match also matches the reference’s tonal balance; fixed applies the preset only.' },
  eq_preset: { label: 'EQ preset', hint: 'Tonal flavour; it also picks the profile unless you choose one.' },
  de_esser_mode: { label: 'De-esser', hint: 'auto tames harsh 5–10 kHz sibilance.' },
  profile: { label: 'Profile', hint: 'How strongly to correct: conservative, default or aggressive (or an alias).' },
  target_lufs: { label: 'Target loudness (LUFS)', hint: 'Leave empty to match the reference’s loudness.' },
  loudness_preset: { label: 'Loudness preset', hint: 'A platform’s loudness and peak ceiling instead of the reference’s loudness.' },
  ceiling_dbtp: { label: 'True-peak ceiling (dBTP)', hint: 'How close to full scale the peaks may go; −1 suits streaming.' },
  strength: { label: 'Strength (%)', hint: 'How far tone, width and dynamics move toward the reference; loudness and the ceiling hold at any strength.' },
  match: { label: 'Match', hint: 'What follows the reference; what is switched off stays as the target has it (all off: only the loudness goal and ceiling).' },
  sample_rate: { label: 'Output sample rate', hint: 'keep leaves the target’s rate.' },
  preview: { label: 'Preview', hint: 'Preview 30 s decides on the whole track but renders only its loudest 30 seconds (1 s fades): much faster, for listening before the full master.' },
  bit_depth: { label: 'Output bit depth', hint: '16-bit is dithered; 32 is IEEE float.' },
};

/** What to do next, per error code; shown under the API's own message. */
export const ERROR_HINTS: Readonly<Record<ErrorCode, string>> = {
  invalid_query_parameter: 'Pick one of the listed values for that option.',
  unknown_parameter: 'The page and the server disagree about an option’s name; reload the page.',
  invalid_payload: 'The upload did not arrive as a form; reload the page and try again.',
  missing_file: 'Choose both a target and a reference file.',
  too_many_references: 'Remove references until at most five are left.',
  empty_file: 'The chosen file has no bytes; choose another file.',
  file_too_large: 'Files may be up to the server’s size limit; export a shorter or compressed (FLAC) version.',
  corrupted_file: 'The file is damaged or truncated; export it again from your audio editor.',
  mp3_malformed_header: 'The MP3 could not be read; export it again, or use WAV or FLAC.',
  id3_malformed_header: 'The MP3’s ID3 tag is broken; strip the tags or export it again.',
  unsupported_codec_profile: 'Only MPEG-1 Layer III MP3 files are accepted; use WAV or FLAC instead.',
  invalid_duration: 'The file holds no audio; choose a file with sound in it.',
  duration_too_long: 'Audio may be at most one hour long; split the file.',
  invalid_sample_rate: 'Sample rates from 8 kHz to 192 kHz are accepted; resample the file.',
  invalid_channel_count: 'Files with 1 to 8 channels are accepted.',
  unauthorized: 'This server needs an API key: paste it into the API key field and try again.',
  not_found: 'The page and the server disagree; reload the page.',
  method_not_allowed: 'The page and the server disagree; reload the page.',
  request_too_large: 'The two files together are over the server’s upload limit; use shorter or FLAC files.',
  unsupported_container: 'Use a WAV, FLAC or MP3 file.',
  unsupported_codec: 'Use PCM or float WAV, FLAC or MP3 (compressed WAV codecs such as ADPCM are not accepted).',
  silent_reference: 'The reference has no sound; choose another reference, or set a target loudness or a loudness preset to master without one.',
  storage_unavailable: 'The server could not store the result as it must; try again later or ask the operator.',
  overloaded: 'The server is busy; try again in a few seconds.',
  not_ready: 'The server is starting or a dependency is down; try again shortly.',
  job_not_found: 'The job is gone (finished jobs are kept for a limited time) or belongs to another API key; master the files again.',
  invalid_artifact_key: 'That is not a key of a mastered file.',
  artifact_not_found: 'The mastered file is not stored (or no longer kept); master the files again.',
  job_finished: 'The job had already finished; its result (or error) is shown.',
  job_result_unavailable: 'The job has no result to download; see its status.',
  callback_not_allowed: 'Callbacks may only go to public addresses (or hosts the operator allows).',
  queue_full: 'Many jobs are waiting; try again in a little while.',
  queue_unavailable: 'The job queue is not answering; try again shortly or ask the operator.',
  jobs_unavailable: 'This server masters long files only while you wait; use a shorter file or ask the operator to enable jobs.',
  worker_lost: 'Mastering this file kept stopping the server’s worker; try a shorter file and report the correlation id.',
  internal_error: 'Something went wrong on the server; try again, and quote the correlation id if it persists.',
};
