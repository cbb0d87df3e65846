/**
 * Client script, part 5: the workflow — choosing files (picker or drag and
 * drop), measuring each file as soon as it is chosen (Master stays disabled
 * until all are measured: a file the server cannot read is never sent to be
 * mastered), the matching controls (strength slider, match switches),
 * mastering or previewing with upload progress, showing the result, what the
 * matching did, and every error the API can answer with.
 */
export const CLIENT_WORKFLOW = String.raw`
const slots = {
  target: { file: null, url: null, analysis: null, analysisPromise: null, generation: 0 },
  reference: { file: null, url: null, analysis: null, analysisPromise: null, generation: 0 },
  result: { blob: null, url: null, filename: 'mastered.wav', analysis: null, analysisPromise: null, generation: 0 },
};
let busy = false;
let elapsedTimer = null;
/** The reference slots of the request under way, in the order sent (an error's reference_index points into it). */
let sentReferences = ['reference'];
/** Whether each player and the A/B switch exist for a slot (added references have neither). */
const PLAYER_SLOTS = ['target', 'reference', 'result'];

function infoOf(name) { return byId(name === 'result' ? 'player-result-name' : 'file-' + name + '-info'); }

function setInfo(name, text, isError) {
  const info = infoOf(name);
  info.textContent = text;
  info.classList.toggle('error', Boolean(isError));
}

/**
 * Measures a slot's audio once, waiting while the server is busy; a failed
 * measurement is forgotten, so the next call retries (e.g. after a key is entered).
 */
function ensureAnalysis(name) {
  const slot = slots[name];
  if (slot.analysisPromise) return slot.analysisPromise;
  const generation = slot.generation;
  const source = name === 'result' ? slot.blob : slot.file;
  const filename = name === 'result' ? slot.filename : slot.file.name;
  const label = name === 'result' ? filename + ' \u00b7 ' : '';
  setInfo(name, label + 'Measuring\u2026');
  const onRetry = (seconds, attempt, attempts) => {
    if (slot.generation === generation) {
      setInfo(name, label + 'The server is busy; measuring again in ' + Math.ceil(seconds) + ' s (attempt ' + attempt + ' of ' + attempts + ')\u2026');
    }
  };
  slot.analysisPromise = requestAnalysis(source, filename, onRetry).then((analysis) => {
    if (slot.generation === generation) {
      slot.analysis = analysis;
      setInfo(name, (name === 'result' ? label : slot.file.name + ' \u00b7 ') + analysisSummary(analysis));
      renderComparison();
      updateControls();
    }
    return analysis;
  }, (error) => {
    if (slot.generation === generation) {
      slot.analysisPromise = null;
      setInfo(name, SLOT_TITLES[name] + ' could not be measured: ' + error.message + ' (' + error.code + ')', true);
      renderComparison();
      updateControls();
    }
    error.slot = name;
    throw error;
  });
  renderComparison();
  return slot.analysisPromise;
}

/** The input slots that hold (or must hold) a file: target, first reference, and each added reference with a file. */
function inputSlotNames() {
  return ['target', 'reference'].concat(chosenAddedReferences());
}

/** Measures again each chosen input that has no measurement yet (one that failed, e.g. for want of an API key). */
function remeasureInputs() {
  inputSlotNames().forEach((name) => {
    const slot = slots[name];
    if (slot.file && slot.file.size > 0 && slot.file.size <= config.maxFileBytes && !slot.analysis && !slot.analysisPromise) {
      ensureAnalysis(name).catch(() => { /* shown beside the file */ });
    }
  });
  updateControls();
}

function resetSlot(slot) {
  slot.generation++;
  slot.analysis = null;
  slot.analysisPromise = null;
  if (slot.url) URL.revokeObjectURL(slot.url);
  slot.url = null;
}

function setFile(name, file) {
  const slot = slots[name];
  resetSlot(slot);
  slot.file = file || null;
  // A result belongs to the files it was mastered from.
  clearResult();
  if (PLAYER_SLOTS.indexOf(name) >= 0) {
    if (file) slot.url = URL.createObjectURL(file);
    setPlayerSource(name, slot.url, file ? file.name : null);
  }
  if (!file) { setInfo(name, ''); updateControls(); return; }
  if (file.size === 0) {
    setInfo(name, file.name + ': ' + config.errorMessages.empty_file + ' (empty_file)', true);
  } else if (file.size > config.maxFileBytes) {
    setInfo(name, file.name + ' is ' + formatBytes(file.size) + '; the server accepts files up to ' + formatBytes(config.maxFileBytes) + ' (file_too_large).', true);
  } else {
    setInfo(name, file.name + ' \u00b7 ' + formatBytes(file.size));
    ensureAnalysis(name).catch(() => { /* shown beside the file */ });
  }
  updateControls();
  renderComparison();
}

function clearResult() {
  const slot = slots.result;
  if (!slot.url && !slot.blob) return;
  resetSlot(slot);
  slot.blob = null;
  setPlayerSource('result', null, null);
  byId('result-panel').hidden = true;
  renderComparison();
}

/** Wires one drop zone (its file input, and drag and drop onto it) to its slot. */
function bindDropZone(zone) {
  const name = zone.getAttribute('data-slot');
  const input = byId('file-' + name);
  input.addEventListener('change', () => setFile(name, input.files[0]));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); event.dataTransfer.dropEffect = 'copy'; zone.classList.add('dragover'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragover'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragover');
    const files = event.dataTransfer.files;
    if (!files || files.length === 0) return;
    // The input shows the dropped file too, so keyboard and screen-reader users see the same state.
    try { input.files = files; } catch (ignored) { /* older browsers: the slot still takes the file */ }
    setFile(name, files[0]);
  });
}

function initDropZones() {
  document.querySelectorAll('.drop').forEach(bindDropZone);
  // A file dropped beside the zones must not make the browser navigate away from the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
}

/** What keeps Master disabled, as the status line says it; null once both files are chosen and measured. */
function notReadyReason() {
  const names = inputSlotNames();
  const missing = names.filter((name) => !slots[name].file);
  if (missing.length) return 'Choose a target and a reference to begin.';
  const unreadable = names.filter((name) => !slots[name].analysis && !slots[name].analysisPromise);
  if (unreadable.length) return unreadable.map((name) => SLOT_TITLES[name]).join(' and ') + ' could not be read (see beside the file): choose another file' + (config.apiKeyRequired ? ' or enter the API key' : '') + '.';
  if (names.some((name) => !slots[name].analysis)) return 'Measuring the files\u2026';
  return null;
}

function updateControls() {
  const reason = notReadyReason();
  byId('master-button').disabled = busy || reason !== null;
  byId('preview-button').disabled = busy || reason !== null;
  const status = byId('status');
  const phase = status.getAttribute('data-phase');
  if (!busy && (phase === null || phase === 'idle')) {
    byId('status-text').textContent = reason === null ? 'Ready: press Master.' : reason;
    status.setAttribute('data-phase', 'idle');
  }
  byId('options').querySelectorAll('select, input').forEach((control) => { control.disabled = busy; });
  updateReferenceButtons();
}

/**
 * The /master query from the option controls; empty values and a slider at
 * its default are left out (the server's defaults apply). The match switches
 * become one list: all on is the default, none on is 'none'. extra: more
 * parameters (preview=true).
 */
function masterQuery(extra) {
  const params = new URLSearchParams();
  const switches = [];
  byId('options').querySelectorAll('select, input').forEach((control) => {
    if (control.type === 'checkbox') { switches.push(control); return; }
    if (control.type === 'range' && control.value === control.getAttribute('data-default')) return;
    if (control.value.trim() !== '') params.append(control.name, control.value.trim());
  });
  const on = switches.filter((box) => box.checked).map((box) => box.value);
  if (on.length === 0) params.append('match', 'none');
  else if (on.length < switches.length) params.append('match', on.join(','));
  Object.keys(extra || {}).forEach((name) => params.append(name, extra[name]));
  const text = params.toString();
  return text ? '?' + text : '';
}

/** Shows a phase of the work: upload (detail: fraction sent), processing, measuring, or a final text. */
function setStatus(phase, detail) {
  const bar = byId('progress');
  const text = byId('status-text');
  if (elapsedTimer) { clearInterval(elapsedTimer); elapsedTimer = null; }
  bar.hidden = ['upload', 'processing', 'measuring'].indexOf(phase) < 0;
  if (phase === 'upload') {
    bar.value = Math.round(detail * 100);
    text.textContent = 'Uploading\u2026 ' + Math.round(detail * 100) + ' %';
  } else if (phase === 'processing') {
    // An indeterminate bar: the server does not report how far mastering has got.
    bar.removeAttribute('value');
    const started = Date.now();
    text.textContent = 'Upload complete. Mastering on the server\u2026 ';
    const counter = el('span', { 'aria-hidden': 'true', text: '0 s' });
    text.appendChild(counter);
    elapsedTimer = setInterval(() => { counter.textContent = Math.round((Date.now() - started) / 1000) + ' s'; }, 500);
  } else if (phase === 'measuring') {
    bar.removeAttribute('value');
    text.textContent = 'Mastered. Measuring target, reference and result\u2026';
  } else {
    text.textContent = detail;
  }
  byId('status').setAttribute('data-phase', phase);
}

function partLabel(error) {
  let part = error.part === 'file' ? error.slot : error.part || error.slot;
  // One of several references: reference_index counts them in the order they were sent.
  if (part === 'reference' && error.reference_index) part = sentReferences[error.reference_index - 1] || part;
  return part && SLOT_TITLES[part] ? SLOT_TITLES[part] + ' file: ' : '';
}

/** Shows an API error: its own message and code, what to do about it, and the ids needed to trace it. */
function showError(error, context) {
  const box = clear(byId('error'));
  box.setAttribute('data-code', error.code);
  box.appendChild(el('p', {}, [el('strong', { text: (context ? context + ' ' : '') + partLabel(error) + error.message })]));
  const hint = config.errorHints[error.code];
  if (hint) box.appendChild(el('p', { text: hint }));
  if (error.allowed_values) box.appendChild(el('p', { text: 'Allowed values for ' + error.parameter + ': ' + error.allowed_values.join(', ') + '.' }));
  if (error.retryAfter) box.appendChild(el('p', { text: 'Retry after ' + error.retryAfter + ' s.' }));
  const facts = ['Code ', el('code', { class: 'error-code', text: error.code })];
  if (error.status) facts.push(' \u00b7 HTTP ' + error.status);
  if (error.correlationId) facts.push(' \u00b7 correlation id ', el('code', { text: error.correlationId }));
  box.appendChild(el('p', {}, facts));
  box.hidden = false;
}

function hideError() { const box = byId('error'); box.hidden = true; clear(box); }

function showPersistence(response) {
  const status = response.header('X-Artifact-Persistence-Status') || 'unknown';
  const words = { stored: 'Stored', deferred: 'Queued for storage', skipped: 'Not stored (storage disabled or unavailable)' };
  clear(byId('persistence')).appendChild(el('span', { class: 'pill ' + status, 'data-status': status, text: words[status] || status }));
  const url = response.header('X-Mastered-Object-Url');
  const cell = clear(byId('object-url'));
  if (!url) cell.textContent = status === 'deferred' ? 'none yet (the artifact is queued)' : '\u2014';
  else if (/^https?:/i.test(url)) cell.appendChild(el('a', { href: url, target: '_blank', rel: 'noopener', text: url }));
  else cell.appendChild(el('code', { text: url }));
}

/**
 * The master's warnings, from the diagnostics (with their messages), or from
 * X-Mastering-Warnings when the diagnostics header was too large to carry them.
 */
function warningsOf(response, diagnostics) {
  if (diagnostics && Array.isArray(diagnostics.warnings)) return diagnostics.warnings;
  const header = response.header('X-Mastering-Warnings');
  if (!header) return [];
  return header.split(/\s*,\s*/).map((item) => ({ code: item.split(';')[0], message: '' }));
}

/** A visible notice above the result: the master was made, but with these warnings. */
function showWarnings(warnings) {
  const box = clear(byId('warnings'));
  box.hidden = warnings.length === 0;
  if (!warnings.length) return;
  box.appendChild(el('p', {}, [el('strong', { text: 'Mastered with ' + warnings.length + ' warning' + (warnings.length > 1 ? 's' : '') + ':' })]));
  box.appendChild(el('ul', {}, warnings.map((warning) => el('li', { 'data-code': warning.code }, [el('code', { text: warning.code }), warning.message ? ' ' + warning.message : '']))));
}

/** One line on what the matching did, from the diagnostics (empty when they do not say). */
function matchingSummary(d) {
  if (!d || typeof d.strength !== 'number' || !Array.isArray(d.match)) return '';
  const parts = ['strength ' + d.strength + ' %', d.match.length ? 'matched: ' + d.match.join(', ') : 'nothing matched (loudness goal and ceiling only)'];
  if (d.references) parts.push(d.references + (d.references === 1 ? ' reference' : ' references'));
  const goal = formatNumber(d.loudness_goal_lufs, 1);
  if (goal !== null) parts.push('loudness goal ' + goal + ' LUFS (' + String(d.loudness_goal_source).replace(/_/g, ' ') + ')');
  const ceiling = d.limiter ? formatNumber(d.limiter.true_peak_ceiling_dbtp, 1) : null;
  if (ceiling !== null) parts.push('ceiling ' + ceiling + ' dBTP');
  if (d.output_sample_rate_hz) parts.push(formatHz(d.output_sample_rate_hz));
  return parts.join(' \u00b7 ');
}

function showResult(response) {
  const slot = slots.result;
  resetSlot(slot);
  slot.blob = response.blob;
  let parsed = null;
  try { parsed = JSON.parse(response.header('X-Mastering-Diagnostics') || ''); } catch (ignored) { parsed = null; }
  const preview = parsed && parsed.preview;
  slot.filename = stemOf(slots.target.file.name) + (preview ? '_preview.wav' : '_mastered.wav');
  byId('rendered-what').textContent = preview
    ? 'a preview: the loudest ' + formatDuration(preview.duration_s) + ' from ' + formatDuration(preview.start_s) + ', with 1 s fades'
    : 'the whole track';
  byId('rendered-what').setAttribute('data-preview', preview ? 'true' : 'false');
  byId('matching-summary').textContent = matchingSummary(parsed);
  slot.url = URL.createObjectURL(slot.blob);
  const link = byId('download');
  link.href = slot.url;
  link.setAttribute('download', slot.filename);
  link.textContent = 'Download ' + slot.filename + ' (' + formatBytes(slot.blob.size) + ')';
  showPersistence(response);
  byId('correlation-id').textContent = response.header('X-Correlation-Id') || '';
  byId('profile-id').textContent = response.header('X-Mastering-Profile-Id') || '';
  byId('diagnostics').textContent = parsed ? JSON.stringify(parsed, null, 2) : response.header('X-Mastering-Diagnostics') || '';
  showWarnings(warningsOf(response, parsed));
  byId('result-panel').hidden = false;
  setPlayerSource('result', slot.url, slot.filename);
}

/** Masters the chosen files; preview: render only the loudest 30 s (decided on the whole track). */
function master(preview) {
  hideError();
  const missing = ['target', 'reference'].filter((name) => !slots[name].file);
  if (missing.length) {
    showError({ code: 'missing_file', message: 'Choose ' + missing.map((name) => 'a ' + name).join(' and ') + ' file first.' });
    byId('file-' + missing[0]).focus();
    return;
  }
  const form = new FormData();
  form.append('target', slots.target.file, slots.target.file.name);
  sentReferences = ['reference'].concat(chosenAddedReferences());
  sentReferences.forEach((name) => form.append('reference', slots[name].file, slots[name].file.name));
  busy = true;
  updateControls();
  clearResult();
  const started = Date.now();
  const query = masterQuery(preview ? { preview: 'true' } : null);
  let stage = 'Mastering failed.';
  // Master is enabled only once both files are measured, so no measurement holds a server slot now.
  setStatus('upload', 0);
  masterOrQueue(query, form, {
    onUploadProgress: (loaded, total) => setStatus('upload', loaded / total),
    onUploaded: () => setStatus('processing'),
  }).then((response) => {
    showResult(response);
    stage = 'Mastered, but measuring failed.';
    setStatus('measuring');
    return Promise.all(['target', 'reference', 'result'].map(ensureAnalysis));
  }).then(() => {
    const what = preview ? 'Preview done' : 'Done';
    setStatus('done', what + ' in ' + ((Date.now() - started) / 1000).toFixed(1) + ' s. Listen and compare below.');
  }).catch((error) => {
    setStatus('failed', stage);
    showError(error, stage === 'Mastering failed.' ? null : 'Measuring:');
  }).then(() => {
    busy = false;
    updateControls();
  });
}

function init() {
  initPlayers();
  initDropZones();
  byId('master-button').addEventListener('click', () => master(false));
  byId('preview-button').addEventListener('click', () => master(true));
  const strength = byId('opt-strength');
  strength.addEventListener('input', () => { byId('opt-strength-value').textContent = strength.value; });
  initReferences();
  initJobs();
  // A key typed after the files were refused (unauthorized) lets them be measured again.
  let keyTimer = null;
  byId('api-key').addEventListener('input', () => {
    if (keyTimer) clearTimeout(keyTimer);
    keyTimer = setTimeout(remeasureInputs, 400);
  });
  ['target', 'reference'].forEach((name) => { const input = byId('file-' + name); if (input.files[0]) setFile(name, input.files[0]); });
  updateControls();
  if (config.apiKeyRequired) byId('api-key').setAttribute('aria-required', 'true');
  document.body.setAttribute('data-ready', 'true');
}
`;
