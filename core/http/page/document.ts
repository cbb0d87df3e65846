/**
 * The web page at `GET /`, assembled from string modules (core cannot read
 * files): markup built here from the option and error tables, the stylesheet,
 * and the client script. One self-contained document: no build step, no CDN,
 * nothing fetched from elsewhere, so it works offline.
 */
import { ERROR_TABLE } from '../../domain/errors.ts';
import { MAX_REFERENCES } from '../../domain/limits.ts';
import { CEILING_DBTP_RANGE, DEFAULT_MASTERING_OPTIONS, MATCH_DIMENSIONS, PROFILE_ALIASES, PROFILE_IDS, STRENGTH_RANGE, TARGET_LUFS_RANGE } from '../../mastering/options.ts';
import { MASTER_QUERY_PARAMETERS, type MasterQueryParameter } from '../query.ts';
import { PAGE_SCRIPT } from './client/index.ts';
import { ERROR_HINTS, OPTION_COPY } from './copy.ts';
import { PAGE_CSS } from './styles.ts';

/** What the page needs to know about the server it is served by. */
export interface PageSettings {
  /** Largest accepted file, so the page can refuse a too-large file before uploading it. */
  readonly maxFileBytes: number;
  /** Whether the API needs a key (the key field is then shown first and marked required). */
  readonly apiKeyRequired: boolean;
  /** Whether the server has asynchronous jobs; targets longer than `jobThresholdSeconds` then go through `/jobs`. */
  readonly jobsAvailable?: boolean;
  readonly jobThresholdSeconds?: number;
}

/** Targets longer than this go through a job (progress and cancel) rather than one long request. */
export const JOB_THRESHOLD_SECONDS = 180;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function option(value: string, label: string, selected: boolean): string {
  return `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;
}

/** Options entered as numbers, with their ranges. */
const NUMERIC_OPTIONS: Partial<Record<MasterQueryParameter, { min: number; max: number; step: number; placeholder: string }>> = {
  target_lufs: { ...TARGET_LUFS_RANGE, step: 0.1, placeholder: 'reference loudness' },
  ceiling_dbtp: { ...CEILING_DBTP_RANGE, step: 0.1, placeholder: 'preset or profile ceiling' },
};

/** Parameters set by something other than a form control: `preview` is the Preview button. */
export const OPTIONS_WITHOUT_CONTROL: readonly MasterQueryParameter[] = ['preview'];

/** `match` as one switch per dimension (all on by default); the page sends the ones switched on. */
function matchSwitches(hintId: string): string {
  const { label } = OPTION_COPY.match;
  const switches = MATCH_DIMENSIONS.map(
    (dimension) =>
      `<label class="switch"><input type="checkbox" name="match" value="${dimension}"${DEFAULT_MASTERING_OPTIONS.match.includes(dimension) ? ' checked' : ''}> ${dimension}</label>`,
  ).join('');
  return `<fieldset id="opt-match" class="switches" aria-describedby="${hintId}"><legend>${escapeHtml(label)}</legend>${switches}</fieldset>`;
}

/** The control for one `/master` query parameter, named as the parameter so the form maps 1:1 onto the query. */
function optionControl(name: MasterQueryParameter): string {
  const { label, hint } = OPTION_COPY[name];
  const id = `opt-${name}`;
  const hintId = `${id}-hint`;
  const spec = MASTER_QUERY_PARAMETERS[name];
  let control: string;
  const numeric = NUMERIC_OPTIONS[name];
  if (name === 'match') {
    return `<div class="wide">${matchSwitches(hintId)}<p class="hint" id="${hintId}">${escapeHtml(hint)}</p></div>`;
  }
  if (numeric) {
    control = `<input id="${id}" name="${name}" type="number" inputmode="decimal" min="${numeric.min}" max="${numeric.max}" step="${numeric.step}" placeholder="${escapeHtml(numeric.placeholder)}" aria-describedby="${hintId}">`;
  } else if (name === 'strength') {
    const value = DEFAULT_MASTERING_OPTIONS.strength;
    control =
      `<span class="slider"><input id="${id}" name="${name}" type="range" min="${STRENGTH_RANGE.min}" max="${STRENGTH_RANGE.max}" step="1" value="${value}" data-default="${value}" aria-describedby="${hintId}">` +
      `<output id="${id}-value" for="${id}">${value}</output></span>`;
  } else if (name === 'profile') {
    const aliases = Object.keys(PROFILE_ALIASES).filter((alias) => !(PROFILE_IDS as readonly string[]).includes(alias));
    control =
      `<select id="${id}" name="${name}" aria-describedby="${hintId}">` +
      option('', 'chosen by the preset', true) +
      PROFILE_IDS.map((id) => option(id, id, false)).join('') +
      `<optgroup label="Aliases">${aliases.map((alias) => option(alias, `${alias} (${PROFILE_ALIASES[alias]})`, false)).join('')}</optgroup>` +
      `</select>`;
  } else {
    control =
      `<select id="${id}" name="${name}" aria-describedby="${hintId}">` +
      (spec.default === null ? option('', 'none', true) : '') +
      spec.allowed.map((value) => option(value, value === spec.default ? `${value} (default)` : value, value === spec.default)).join('') +
      `</select>`;
  }
  return `<div><label for="${id}">${escapeHtml(label)}</label>${control}<p class="hint" id="${hintId}">${escapeHtml(hint)}</p></div>`;
}

function dropZone(slot: 'target' | 'reference', title: string, role: string): string {
  const more =
    slot === 'reference'
      ? `<div id="extra-references"></div>
  <p class="more"><button id="add-reference" type="button" class="secondary" aria-describedby="add-reference-hint">Add a reference</button>
  <span class="hint" id="add-reference-hint">Up to ${MAX_REFERENCES} references: the master follows their blend, each weighted by its loudness.</span></p>`
      : '';
  return `<div class="drop-column"><div class="drop" data-slot="${slot}">
  <label for="file-${slot}">${title} <span class="role">— ${role}</span></label>
  <input id="file-${slot}" name="${slot}" type="file" accept=".wav,.flac,.mp3,audio/wav,audio/x-wav,audio/flac,audio/mpeg" aria-describedby="drop-${slot}-hint file-${slot}-info">
  <p class="hint" id="drop-${slot}-hint">Drop a WAV, FLAC or MP3 file here, or choose one.</p>
  <p class="file-info" id="file-${slot}-info" aria-live="polite"></p>
</div>${more}</div>`;
}

function player(slot: 'target' | 'reference' | 'result', title: string): string {
  return `<div class="player" data-slot="${slot}">
  <h3 id="player-${slot}-title">${title}</h3>
  <p class="hint" id="player-${slot}-name">${slot === 'result' ? 'Master to hear the result.' : 'No file chosen yet.'}</p>
  <audio id="player-${slot}" controls preload="metadata" aria-labelledby="player-${slot}-title"></audio>
  <p class="gain" id="player-${slot}-gain"></p>
</div>`;
}

/** Client-side settings and tables as JSON, safe inside a script element. */
function configJson(settings: PageSettings): string {
  const messages = Object.fromEntries(Object.entries(ERROR_TABLE).map(([code, { message }]) => [code, message]));
  const json = JSON.stringify({ jobsAvailable: false, jobThresholdSeconds: JOB_THRESHOLD_SECONDS, maxReferences: MAX_REFERENCES, ...settings, errorHints: ERROR_HINTS, errorMessages: messages });
  return json.replace(/</g, '\\u003c');
}

/**
 * The page's HTML for a server with `settings`.
 *
 * @example
 * new Response(renderPage({ maxFileBytes: 100 << 20, apiKeyRequired: false }), { headers: { 'content-type': 'text/html; charset=utf-8' } })
 */
export function renderPage(settings: PageSettings): string {
  const options = (Object.keys(MASTER_QUERY_PARAMETERS) as MasterQueryParameter[])
    .filter((name) => !OPTIONS_WITHOUT_CONTROL.includes(name))
    .map(optionControl)
    .join('\n');
  const keyHint = settings.apiKeyRequired ? 'This server requires an API key.' : 'Only needed when the server requires one.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>audo-eq — reference mastering</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the mastering form</a>
<header class="top"><div class="bar"><h1>audo-eq</h1><p>Master a track so it sounds like a reference: same loudness, similar tone and dynamics, safe peaks.</p><a href="docs">API docs</a></div></header>
<main id="main">
<section class="panel" aria-labelledby="setup-title">
  <h2 id="setup-title">1. Choose the tracks</h2>
  <div class="grid2">
    ${dropZone('target', 'Target', 'the track to master')}
    ${dropZone('reference', 'Reference', 'the track it should sound like')}
  </div>
  <h2 id="options-title" style="margin-top:18px">2. Options</h2>
  <form id="options" class="options" aria-labelledby="options-title">
${options}
  </form>
  <div class="key">
    <label for="api-key">API key</label>
    <input id="api-key" type="password" autocomplete="off" spellcheck="false" aria-describedby="api-key-hint"${settings.apiKeyRequired ? ' required' : ''}>
    <p class="hint" id="api-key-hint">${keyHint} Kept in this page’s memory only, never stored.</p>
  </div>
  <div class="actions">
    <button id="master-button" type="button">Master</button>
    <button id="preview-button" type="button" class="secondary" aria-describedby="preview-hint">Preview 30 s</button>
    <button id="cancel-button" type="button" class="secondary" hidden>Cancel</button>
    <div class="status" id="status" role="status" aria-live="polite">
      <progress id="progress" max="100" value="0" hidden></progress>
      <p id="status-text">Choose a target and a reference to begin.</p>
    </div>
  </div>
  <p class="hint" id="preview-hint">${escapeHtml(OPTION_COPY.preview.hint)}</p>
  <div id="error" class="alert" role="alert" hidden></div>
</section>

<section class="panel" id="result-panel" aria-labelledby="result-title" hidden>
  <h2 id="result-title">Result</h2>
  <div id="warnings" class="notice" role="status" hidden></div>
  <dl class="facts">
    <dt>Download</dt><dd><a id="download" class="button" href="#" download="mastered.wav">Download mastered WAV</a></dd>
    <dt>Rendered</dt><dd id="rendered-what">the whole track</dd>
    <dt>Matching</dt><dd id="matching-summary"></dd>
    <dt>Persistence</dt><dd id="persistence"></dd>
    <dt>Object URL</dt><dd id="object-url">—</dd>
    <dt>Profile</dt><dd id="profile-id"></dd>
    <dt>Correlation id</dt><dd><code id="correlation-id"></code></dd>
  </dl>
  <details><summary>Mastering diagnostics</summary><pre class="diagnostics" id="diagnostics"></pre></details>
</section>

<section class="panel" id="listen-panel" aria-labelledby="listen-title" hidden>
  <h2 id="listen-title">Listen and compare</h2>
  <div class="players">
    ${player('target', 'Target')}
    ${player('reference', 'Reference')}
    ${player('result', 'Result')}
  </div>
  <fieldset class="ab" id="ab" aria-describedby="ab-hint">
    <legend>A/B switch</legend>
    <label><input type="radio" name="ab-source" value="target" checked> Target (A)</label>
    <label><input type="radio" name="ab-source" value="result" disabled> Result (B)</label>
    <label><input type="radio" name="ab-source" value="reference"> Reference</label>
    <button id="ab-play" type="button" class="secondary" aria-pressed="false">Play</button>
    <label><input type="checkbox" id="level-match" checked> Match loudness</label>
    <span class="hint" id="ab-hint">Switching keeps the playback position. With loudness matched, every player is turned down to the quietest track’s integrated loudness, so louder does not simply sound better.</span>
  </fieldset>
</section>

<section class="panel" id="compare-panel" aria-labelledby="compare-title" hidden>
  <h2 id="compare-title">See the difference</h2>
  <div class="table-scroll">
  <table class="metrics" id="metrics">
    <caption class="visually-hidden">Measurements of target, reference and result</caption>
    <thead><tr><th scope="col">Measure</th><th scope="col"><span class="swatch target"></span>Target</th><th scope="col"><span class="swatch reference"></span>Reference</th><th scope="col"><span class="swatch result"></span>Result</th></tr></thead>
    <tbody></tbody>
  </table>
  </div>
  <figure class="chart" id="spectrum-figure">
    <h3>Long-term spectrum (1/3 octave, level-normalised)</h3>
    <div class="legend"><span><span class="swatch target"></span>Target</span><span><span class="swatch reference"></span>Reference</span><span><span class="swatch result"></span>Result</span></div>
    <div id="spectrum-chart"></div>
    <figcaption>Each band’s share of the track’s power, in dB: tracks at different loudness compare by tonal shape.</figcaption>
    <details><summary>Spectrum as a table</summary><div id="spectrum-table" class="table-scroll"></div></details>
  </figure>
  <figure class="chart" id="loudness-figure">
    <h3>Short-term loudness over time (3 s window)</h3>
    <div class="legend"><span><span class="swatch target"></span>Target</span><span><span class="swatch result"></span>Result</span></div>
    <div id="loudness-chart"></div>
    <figcaption>LUFS every 100 ms, each value over the preceding 3 s.</figcaption>
  </figure>
</section>
</main>
<script type="application/json" id="page-config">${configJson(settings)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
