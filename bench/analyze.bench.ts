// `POST /analyze` work: decode + measure (loudness with true peak and the
// short-term series, levels, 1/3-octave spectrum) of 3 min and 9 min stereo
// 44.1 kHz WAVs made from the indie-pop fixture, and the size of the JSON
// answer. In-process this time holds the event loop, which is why a server
// should run analysis jobs on its worker pool.
import { runAnalysisJob } from '../core/app/in-process-analysis-runner.ts';
import { decodeAudio } from '../core/audio/decode.ts';
import { measureTrack } from '../core/measurement/track-measurements.ts';
import { analysisJson } from '../core/http/analysis-json.ts';
import { readFixture } from '../test/support/fixtures.ts';
import { readWavInfo } from '../test/support/http-client.ts';

const RUNS = 3;

/** The fixture's PCM data repeated to `seconds`, under the fixture's own header (sizes rewritten). */
function repeatedWav(seconds: number): Uint8Array {
  const source = readFixture('indie_pop/target.wav');
  const info = readWavInfo(source);
  const header = source.subarray(0, source.byteLength - info.dataBytes);
  const data = source.subarray(header.byteLength);
  const frameBytes = (info.bitsPerSample / 8) * info.channels;
  const dataBytes = seconds * info.sampleRateHz * frameBytes;
  const out = new Uint8Array(header.byteLength + dataBytes);
  out.set(header);
  for (let offset = 0; offset < dataBytes; offset += data.byteLength) out.set(data.subarray(0, Math.min(data.byteLength, dataBytes - offset)), header.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(4, out.byteLength - 8, true);
  view.setUint32(header.byteLength - 4, dataBytes, true);
  return out;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

for (const seconds of [180, 540]) {
  const bytes = repeatedWav(seconds);
  const decodeMs: number[] = [];
  const measureMs: number[] = [];
  const jobMs: number[] = [];
  let jsonBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    let started = performance.now();
    const audio = await decodeAudio(bytes, { filename: 'bench.wav' });
    decodeMs.push(performance.now() - started);
    started = performance.now();
    measureTrack(audio);
    measureMs.push(performance.now() - started);
    started = performance.now();
    const result = await runAnalysisJob({ correlationId: 'bench', file: { bytes, filename: 'bench.wav' } });
    jsonBytes = JSON.stringify(analysisJson(result)).length;
    jobMs.push(performance.now() - started);
  }
  console.log(
    `${seconds / 60} min stereo 44.1 kHz 16-bit (${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB): ` +
      `decode ${median(decodeMs).toFixed(0)} ms, measure ${median(measureMs).toFixed(0)} ms, whole job ${median(jobMs).toFixed(0)} ms (median of ${RUNS}); ` +
      `JSON ${(jsonBytes / 1024).toFixed(1)} KiB; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
}

// `audo-eq analyze` as a user runs it on a long WAV (read in blocks): wall time and peak RSS, which the duration should not set.
{
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'audo-eq-analyze-bench-'));
  try {
    // One minute of music-like sound, looped to each length.
    const minute = join(dir, 'minute.wav');
    const source = 'aevalsrc=0.5*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.7*t))+0.2*(random(0)-0.5):s=48000:d=60';
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-ac', '2', '-c:a', 'pcm_s24le', minute]);
    for (const minutes of [3, 30]) {
      const file = join(dir, `${minutes}m.wav`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', minute, '-t', String(minutes * 60), '-c:a', 'pcm_s24le', file]);
      const started = performance.now();
      const run = spawnSync('/usr/bin/time', ['-f', 'peak_rss_kb=%M', process.execPath, 'bin/audo-eq.mjs', 'analyze', file, '--json'], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`audo-eq analyze failed: ${run.stderr}`);
      const rssMb = Number(/peak_rss_kb=(\d+)/.exec(run.stderr)?.[1]) / 1024;
      console.log(`cli analyze ${minutes} min stereo 48 kHz 24-bit WAV: ${((performance.now() - started) / 1000).toFixed(2)} s, peak RSS ${rssMb.toFixed(0)} MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
