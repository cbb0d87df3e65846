// End to end as a user runs it (issue 14): `audo-eq master` as a fresh process
// on the 3-minute stereo 44.1 kHz 24-bit pair of bench/matching/make-synth-pair.sh
// (the shared make_synth_pair.sh with a fixed sox seed), best of 3, wall time
// and peak RSS (/usr/bin/time's maximum resident set); then a 10-minute and a
// 60-minute 48 kHz 24-bit target against the 3-minute reference (made in a
// temporary folder and deleted after; `-- --quick` skips the 60-minute case);
// then the 3-minute pair through POST /master on a warm server over loopback
// (curl's time_total: upload, parse, decode, master, encode, response) with
// the stage times of X-Mastering-Diagnostics.
// Goals (2 cores): 3 min ≤ 0.5 s fixed, ≤ 0.7 s reference-match, ≤ 300 MB;
// 60 min ≤ 1 GB, 10 min ≤ 3.5 × the 3-minute time; POST /master ≤ 0.7 s.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const pairDir = join(repoRoot, 'bench/out/e2e-pair');
const quick = process.argv.includes('--quick');
// `--only-server` / `--only-cli`: one half of the bench.
const runCli = !process.argv.includes('--only-server');
const runServer = !process.argv.includes('--only-cli');
const RUNS = 3;

interface Run {
  seconds: number;
  /** User + system CPU time of the process (all its threads): the figure a busy machine disturbs least. */
  cpuSeconds: number;
  peakRssMb: number;
  stageMs?: Record<string, number>;
}

function synthPair(): { target: string; reference: string } {
  const target = join(pairDir, 'target_3m.wav');
  const reference = join(pairDir, 'reference_3m.wav');
  if (!existsSync(join(pairDir, 'complete.txt'))) {
    rmSync(pairDir, { recursive: true, force: true });
    mkdirSync(pairDir, { recursive: true });
    console.log('making the 3-minute pair (make-synth-pair.sh, about 20 s)…');
    execFileSync('bash', [join(repoRoot, 'bench/matching/make-synth-pair.sh'), pairDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('bash', ['-c', `echo made > "${join(pairDir, 'complete.txt')}"`]);
  }
  return { target, reference };
}

/** One `audo-eq master` process under /usr/bin/time, started by the launcher's own first line as a shell starts it, with `env` added to the environment. */
function cliRun(target: string, reference: string, output: string, eqMode: string, env: Record<string, string> = {}): Run {
  const started = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    ['-f', 'peak_rss_kb=%M cpu=%U+%S', join(repoRoot, 'bin/audo-eq.mjs'), 'master', '-t', target, '-r', reference, '-o', output, '--eq-mode', eqMode, '--report-json', `${output}.json`],
    { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, ...env } },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`audo-eq master failed (${result.status}):\n${result.stderr}`);
  const kb = Number(/peak_rss_kb=(\d+)/.exec(result.stderr)?.[1]);
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(result.stderr);
  const report = JSON.parse(readFileSync(`${output}.json`, 'utf8')) as { stage_ms?: Record<string, number> };
  return { seconds, cpuSeconds: Number(cpu?.[1]) + Number(cpu?.[2]), peakRssMb: kb / 1024, stageMs: report.stage_ms };
}

/** The fastest run, with the largest peak RSS of all runs. */
function best(runs: Run[]): Run {
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, cpuSeconds: Math.min(...runs.map((r) => r.cpuSeconds)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
}

function line(label: string, run: Run, extra = ''): void {
  console.log(`${label.padEnd(38)} ${run.seconds.toFixed(2).padStart(7)} s  ${run.cpuSeconds.toFixed(2).padStart(7)} s  ${run.peakRssMb.toFixed(0).padStart(6)} MB${extra}`);
}

/** Loops the 3-minute target to `seconds` at 48 kHz, 24-bit. */
function longTarget(source: string, seconds: number, dir: string): string {
  const path = join(dir, `target_${seconds / 60}m_48k.wav`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', source, '-t', String(seconds), '-ar', '48000', '-c:a', 'pcm_s24le', path]);
  return path;
}

/** The variables `npm start` sets in front of its command (`NAME=value node …`). */
function startScriptVariables(): Record<string, string> {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return Object.fromEntries([...scripts.start.matchAll(/(?:^|\s)([A-Z_]+)=(\S+)(?=\s)/g)].map((match) => [match[1], match[2]]));
}

/** The Node server as `npm start` runs it (its variables; the built JavaScript when there is one). */
async function startServer(dataDir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const built = join(repoRoot, 'dist/runtimes/node/server.js');
  const args = existsSync(built) ? [built] : ['--import', 'tsx', join(repoRoot, 'runtimes/node/server.ts')];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...startScriptVariables(), API_HOST: '127.0.0.1', API_PORT: '0', AUDO_EQ_DATA_DIR: dataDir, AUDO_EQ_LOG_FORMAT: 'json', AUDO_EQ_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"message":"audo-eq listening"[^\n]*"port":(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function postMaster(port: number, target: string, reference: string, eqMode: string, dir: string): { seconds: number; stageMs: Record<string, number> } {
  const headers = join(dir, 'headers.txt');
  const result = spawnSync(
    'curl',
    ['-sS', '-o', join(dir, 'mastered.wav'), '-D', headers, '-w', '%{http_code} %{time_total}', '-X', 'POST', `http://127.0.0.1:${port}/master?eq_mode=${eqMode}`, '-F', `target=@${target}`, '-F', `reference=@${reference}`],
    { encoding: 'utf8' },
  );
  const [status, total] = result.stdout.trim().split(' ');
  if (status !== '200') throw new Error(`POST /master answered ${status}: ${readFileSync(join(dir, 'mastered.wav'), 'utf8').slice(0, 400)}`);
  const diagnostics = /^x-mastering-diagnostics: (.*)$/im.exec(readFileSync(headers, 'utf8'))?.[1] ?? '{}';
  return { seconds: Number(total), stageMs: (JSON.parse(diagnostics) as { stage_ms?: Record<string, number> }).stage_ms ?? {} };
}

const { target, reference } = synthPair();
const scratch = mkdtempSync(join(tmpdir(), 'audo-eq-e2e-'));
try {
  console.log(`3-minute pair: ${(statSync(target).size / 1e6).toFixed(1)} MB target, ${(statSync(reference).size / 1e6).toFixed(1)} MB reference (44.1 kHz 24-bit stereo)`);
  console.log(`${'case'.padEnd(38)} ${'wall'.padStart(9)}  ${'cpu'.padStart(9)}  ${'peak RSS'.padStart(9)}`);
  const threeMinute: Record<string, Run> = {};
  for (const eqMode of runCli ? ['fixed', 'reference-match'] : []) {
    const runs = Array.from({ length: RUNS }, () => cliRun(target, reference, join(scratch, 'out.wav'), eqMode));
    threeMinute[eqMode] = best(runs);
    line(`cli 3 min ${eqMode} (best of ${RUNS})`, threeMinute[eqMode], `  runs ${runs.map((r) => r.seconds.toFixed(2)).join(' / ')}`);
    console.log(`  stage_ms ${JSON.stringify(threeMinute[eqMode].stageMs)}`);
  }
  if (runCli) {
    // The launcher puts malloc on huge pages unless GLIBC_TUNABLES is set; set empty, it keeps 4 KiB pages (what they save).
    const smallPages = { GLIBC_TUNABLES: '' };
    const runs = Array.from({ length: RUNS }, () => cliRun(target, reference, join(scratch, 'out.wav'), 'fixed', smallPages));
    line('cli 3 min fixed, GLIBC_TUNABLES= (4 KiB pages)', best(runs), `  runs ${runs.map((r) => r.seconds.toFixed(2)).join(' / ')}`);
  }
  for (const minutes of !runCli ? [] : quick ? [10] : [10, 60]) {
    const long = longTarget(target, minutes * 60, scratch);
    const run = cliRun(long, reference, join(scratch, 'out.wav'), 'fixed');
    rmSync(long);
    rmSync(join(scratch, 'out.wav'), { force: true });
    rmSync(join(scratch, 'out.wav.json'), { force: true });
    line(`cli ${minutes} min 48k fixed`, run, `  ${(run.seconds / threeMinute.fixed.seconds).toFixed(2)}× the 3-minute time`);
  }
  const server = await startServer(join(scratch, 'data'));
  try {
    for (const eqMode of runServer ? ['fixed', 'reference-match'] : []) {
      postMaster(server.port, target, reference, eqMode, scratch); // warm-up
      const runs = Array.from({ length: RUNS }, () => postMaster(server.port, target, reference, eqMode, scratch));
      const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      console.log(`${`POST /master 3 min ${eqMode}`.padEnd(38)} ${fastest.seconds.toFixed(2).padStart(7)} s  (warm server, curl time_total, best of ${RUNS}: ${runs.map((r) => r.seconds.toFixed(2)).join(' / ')})`);
      console.log(`  stage_ms ${JSON.stringify(fastest.stageMs)}`);
    }
  } finally {
    await server.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
