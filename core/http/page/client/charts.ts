/**
 * Client script, part 3: the comparison view — the metrics table, the
 * 1/3-octave spectrum chart and the short-term loudness chart, as SVG drawn
 * from `/analyze` JSON (the page never measures audio itself). Every series
 * path carries `data-series` and `data-points`, and null values break the
 * line instead of inventing a value.
 */
export const CLIENT_CHARTS = String.raw`
const CHART = { width: 760, height: 320, left: 56, right: 18, top: 14, bottom: 44 };
const METRIC_ROWS = [
  { key: 'integrated_lufs', label: 'Integrated loudness', unit: 'LUFS', digits: 1 },
  { key: 'loudness_range_lu', label: 'Loudness range', unit: 'LU', digits: 1 },
  { key: 'true_peak_dbtp', label: 'True peak', unit: 'dBTP', digits: 1 },
  { key: 'crest_factor_db', label: 'Crest factor', unit: 'dB', digits: 1 },
  { key: 'sample_peak_dbfs', label: 'Sample peak', unit: 'dBFS', digits: 1 },
  { key: 'rms_dbfs', label: 'RMS', unit: 'dBFS', digits: 1 },
  { key: 'duration_seconds', label: 'Duration', unit: 's', digits: 2 },
  { key: 'sample_rate_hz', label: 'Sample rate', unit: 'Hz', digits: 0 },
  { key: 'channels', label: 'Channels', unit: '', digits: 0, format: channelsLabel },
];

/** Which slots have measurements, in display order. */
function measuredSlots(names) {
  return names.filter((name) => slots[name].analysis);
}

function renderComparison() {
  applyLevelMatch();
  const anything = measuredSlots(['target', 'reference', 'result']).length > 0;
  byId('compare-panel').hidden = !anything;
  if (!anything) return;
  renderMetricsTable();
  renderSpectrum();
  renderLoudness();
}

function metricText(analysis, row) {
  const value = analysis[row.key];
  if (row.format) return row.format(value);
  const text = formatNumber(value, row.digits);
  if (text !== null) return text + (row.unit ? ' ' + row.unit : '');
  // null: -inf for a silent track, otherwise too short to measure.
  return analysis.sample_peak_dbfs === null ? MINUS + '\u221e' : 'n/a';
}

function renderMetricsTable() {
  const body = clear(byId('metrics').tBodies[0]);
  METRIC_ROWS.forEach((row) => {
    const cells = ['target', 'reference', 'result'].map((name) => {
      const analysis = slots[name].analysis;
      const pending = slots[name].analysisPromise && !analysis;
      return el('td', { 'data-slot': name, 'data-metric': row.key, text: analysis ? metricText(analysis, row) : pending ? 'measuring\u2026' : '\u2014' });
    });
    body.appendChild(el('tr', {}, [el('th', { scope: 'row', text: row.label })].concat(cells)));
  });
}

/** Round numbers for axis ticks: the smallest of 1, 2, 5 x 10^k giving at most maxTicks steps. */
function tickStep(span, maxTicks) {
  const raw = span / Math.max(1, maxTicks);
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const steps = [1, 2, 5, 10];
  for (let i = 0; i < steps.length; i++) if (steps[i] * magnitude >= raw) return steps[i] * magnitude;
  return 10 * magnitude;
}

/** An empty chart frame: plot area, grid, axes with ticks and titles. Returns { svg, x, y }. */
function chartFrame(options) {
  const w = CHART.width, h = CHART.height;
  const plotW = w - CHART.left - CHART.right, plotH = h - CHART.top - CHART.bottom;
  const x = (value) => CHART.left + ((options.xMap(value) - options.xMap(options.xMin)) / (options.xMap(options.xMax) - options.xMap(options.xMin))) * plotW;
  const y = (value) => CHART.top + (1 - (Math.max(options.yMin, Math.min(options.yMax, value)) - options.yMin) / (options.yMax - options.yMin)) * plotH;
  const titleId = options.id + '-title', descId = options.id + '-desc';
  const svg = svgEl('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img', 'aria-labelledby': titleId + ' ' + descId, 'data-chart': options.id, id: options.id }, [
    svgEl('title', { id: titleId, text: options.title }),
    svgEl('desc', { id: descId, text: options.description }),
  ]);
  const grid = svgEl('g', { class: 'grid' });
  const axis = svgEl('g', { class: 'axis' });
  options.xTicks.forEach((tick) => {
    const px = x(tick.value);
    grid.appendChild(svgEl('line', { x1: px, x2: px, y1: CHART.top, y2: CHART.top + plotH }));
    axis.appendChild(svgEl('text', { x: px, y: CHART.top + plotH + 16, 'text-anchor': 'middle', text: tick.label }));
  });
  const yStep = tickStep(options.yMax - options.yMin, 6);
  for (let value = Math.ceil(options.yMin / yStep) * yStep; value <= options.yMax + 1e-9; value += yStep) {
    const py = y(value);
    grid.appendChild(svgEl('line', { x1: CHART.left, x2: CHART.left + plotW, y1: py, y2: py }));
    axis.appendChild(svgEl('text', { x: CHART.left - 6, y: py + 4, 'text-anchor': 'end', text: formatNumber(value, 0) }));
  }
  axis.appendChild(svgEl('text', { class: 'axis-title', x: CHART.left + plotW / 2, y: h - 6, 'text-anchor': 'middle', text: options.xTitle }));
  axis.appendChild(svgEl('text', { class: 'axis-title', transform: 'rotate(-90)', x: -(CHART.top + plotH / 2), y: 14, 'text-anchor': 'middle', text: options.yTitle }));
  svg.appendChild(grid);
  svg.appendChild(axis);
  svg.appendChild(svgEl('rect', { x: CHART.left, y: CHART.top, width: plotW, height: plotH, fill: 'none', stroke: '#8792a8' }));
  return { svg: svg, x: x, y: y };
}

/** A path through (xs[i], ys[i]); a null y ends the current segment. */
function seriesPath(frame, name, xs, ys) {
  let d = '';
  let points = 0;
  let open = false;
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] === null || ys[i] === undefined) { open = false; continue; }
    d += (open ? 'L' : 'M') + frame.x(xs[i]).toFixed(1) + ' ' + frame.y(ys[i]).toFixed(1);
    open = true;
    points++;
  }
  return svgEl('path', { class: 'series ' + name, d: d || 'M0 0', 'data-series': name, 'data-points': points });
}

function finiteValues(arrays) {
  const values = [];
  arrays.forEach((array) => array.forEach((value) => { if (value !== null && isFinite(value)) values.push(value); }));
  return values;
}

function renderSpectrum() {
  const names = measuredSlots(['target', 'reference', 'result']);
  const levels = names.map((name) => slots[name].analysis.spectrum.levels_db);
  const values = finiteValues(levels);
  const host = clear(byId('spectrum-chart'));
  if (values.length === 0) { host.appendChild(el('p', { class: 'hint', text: 'No spectrum: the measured tracks are silent.' })); return; }
  const top = Math.max.apply(null, values);
  const yMax = Math.ceil((top + 1) / 6) * 6;
  const yMin = Math.floor(Math.max(Math.min.apply(null, values), yMax - 60) / 6) * 6;
  const tickHz = [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000];
  const frame = chartFrame({
    id: 'spectrum-svg', xMin: 20, xMax: 22000, xMap: Math.log10, yMin: yMin, yMax: yMax,
    xTicks: tickHz.map((hz) => ({ value: hz, label: hz >= 1000 ? hz / 1000 + 'k' : String(hz) })),
    xTitle: 'Frequency (Hz, 1/3-octave bands)', yTitle: 'Band level (dB of total)',
    title: 'Long-term 1/3-octave spectrum of ' + names.map((name) => SLOT_TITLES[name].toLowerCase()).join(', '),
    description: 'Level-normalised band levels; target dashed, reference dotted, result solid.',
  });
  names.forEach((name, i) => frame.svg.appendChild(seriesPath(frame, name, slots[name].analysis.spectrum.centres_hz, levels[i])));
  host.appendChild(frame.svg);
  renderSpectrumTable(names);
}

function renderSpectrumTable(names) {
  const centres = slots[names[0]].analysis.spectrum.centres_hz;
  const head = el('tr', {}, [el('th', { scope: 'col', text: 'Band' })].concat(names.map((name) => el('th', { scope: 'col', text: SLOT_TITLES[name] + ' (dB)' }))));
  const rows = centres.map((hz, band) => el('tr', {}, [el('th', { scope: 'row', text: formatHz(hz) })].concat(names.map((name) => {
    const value = formatNumber(slots[name].analysis.spectrum.levels_db[band], 1);
    return el('td', { text: value === null ? '\u2014' : value });
  }))));
  clear(byId('spectrum-table')).appendChild(el('table', { class: 'metrics' }, [el('thead', {}, [head]), el('tbody', {}, rows)]));
}

/** A clock-friendly tick step in seconds (..., 5 s, 10 s, 15 s, 30 s, 1 min, 2 min, 5 min, ...) giving at most maxTicks steps. */
function timeStep(span, maxTicks) {
  const steps = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900];
  for (let i = 0; i < steps.length; i++) if (span / steps[i] <= maxTicks) return steps[i];
  return 1800;
}

/** Axis label for a time in seconds: whole seconds, or m:ss from a minute on. */
function timeLabel(seconds, step) {
  if (seconds < 60) return step < 1 ? seconds.toFixed(1) : String(Math.round(seconds));
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return minutes + ':' + (rest < 10 ? '0' : '') + rest;
}

function renderLoudness() {
  const names = measuredSlots(['target', 'result']);
  const host = clear(byId('loudness-chart'));
  const series = names.map((name) => slots[name].analysis.short_term_loudness);
  const values = finiteValues(series.map((s) => s.lufs));
  if (values.length === 0) {
    host.appendChild(el('p', { class: 'hint', text: 'No short-term loudness yet: it needs a measured target or result of at least 3 s with sound in it.' }));
    return;
  }
  const reference = slots.reference.analysis;
  const goal = reference && reference.integrated_lufs !== null ? reference.integrated_lufs : null;
  const all = goal === null ? values : values.concat([goal]);
  const yMax = Math.ceil((Math.max.apply(null, all) + 1) / 3) * 3;
  const yMin = Math.floor(Math.max(Math.min.apply(null, all) - 1, yMax - 42) / 3) * 3;
  const duration = Math.max.apply(null, names.map((name) => slots[name].analysis.duration_seconds));
  const step = timeStep(duration, 8);
  const ticks = [];
  for (let t = 0; t <= duration + 1e-9; t += step) ticks.push({ value: t, label: timeLabel(t, step) });
  const frame = chartFrame({
    id: 'loudness-svg', xMin: 0, xMax: duration, xMap: (t) => t, yMin: yMin, yMax: yMax, xTicks: ticks,
    xTitle: duration >= 60 ? 'Time (m:ss)' : 'Time (s)', yTitle: 'Short-term loudness (LUFS)',
    title: 'Short-term loudness over time of ' + names.map((name) => SLOT_TITLES[name].toLowerCase()).join(' and '),
    description: 'LUFS every 100 ms over 3 s windows; target dashed, result solid' + (goal === null ? '.' : '; the thin line is the reference\u2019s integrated loudness.'),
  });
  if (goal !== null) {
    const gy = frame.y(goal);
    frame.svg.appendChild(svgEl('line', { x1: CHART.left, x2: CHART.width - CHART.right, y1: gy, y2: gy, stroke: '#1f4fbf', 'stroke-width': 1, 'stroke-dasharray': '2 3', 'data-line': 'reference-integrated' }));
    // Labelled at the left: short-term values start at 3 s, so the first seconds are free of lines.
    frame.svg.appendChild(svgEl('text', { x: CHART.left + 6, y: gy - 5, 'text-anchor': 'start', class: 'axis-title', text: 'reference ' + formatNumber(goal, 1) + ' LUFS' }));
  }
  names.forEach((name, i) => {
    const s = series[i];
    const times = s.lufs.map((_, k) => s.first_end_seconds + k * s.hop_seconds);
    frame.svg.appendChild(seriesPath(frame, name, times, s.lufs));
  });
  host.appendChild(frame.svg);
}
`;
