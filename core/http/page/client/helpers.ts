/**
 * Client script, part 1: the page's settings, DOM and SVG builders, number
 * formatting. Plain browser JavaScript kept as a string (core serves it; it
 * is never bundled): no template literals inside, so it can live in one here,
 * and ASCII only (`\u2026` escapes for the rest), because Bun's transpiler
 * rewrites non-ASCII characters in a raw template and the page would differ
 * between runtimes.
 */
export const CLIENT_HELPERS = String.raw`
const config = JSON.parse(document.getElementById('page-config').textContent);
const SVG_NS = 'http://www.w3.org/2000/svg';
const MINUS = '\u2212';
const SLOT_TITLES = { target: 'Target', reference: 'Reference', result: 'Result' };

function byId(id) { return document.getElementById(id); }

/** An element with attributes (text sets textContent, class sets className) and children. */
function el(tag, attrs, children) {
  return build(document.createElement(tag), attrs, children);
}
function svgEl(tag, attrs, children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}
function build(node, attrs, children) {
  Object.keys(attrs || {}).forEach((key) => {
    const value = attrs[key];
    if (value === null || value === undefined || value === false) return;
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  });
  (children || []).forEach((child) => {
    if (child !== null && child !== undefined) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  });
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

/** A number with a real minus sign (read as "minus" by screen readers), or null. */
function formatNumber(value, digits) {
  if (value === null || value === undefined || !isFinite(value)) return null;
  const text = Number(value).toFixed(digits);
  return text.charAt(0) === '-' && Number(text) !== 0 ? MINUS + text.slice(1) : text.replace(/^-/, '');
}
function formatBytes(bytes) {
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KiB';
  return (bytes / (1024 * 1024)).toFixed(1) + ' MiB';
}
function formatDuration(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return minutes > 0 ? minutes + ':' + (rest < 10 ? '0' : '') + rest.toFixed(1) : rest.toFixed(1) + ' s';
}
function formatHz(hz) { return hz >= 1000 ? (hz / 1000).toFixed(hz % 1000 === 0 ? 0 : 1) + ' kHz' : Math.round(hz) + ' Hz'; }
function channelsLabel(count) { return count === 1 ? 'mono' : count === 2 ? 'stereo' : count + ' channels'; }
function stemOf(filename) { return String(filename || 'track').replace(/\.[^.\/\\]*$/, '') || 'track'; }

/** One line about a measured file: duration, rate, channels, loudness, true peak. */
function analysisSummary(analysis) {
  const lufs = formatNumber(analysis.integrated_lufs, 1);
  const peak = formatNumber(analysis.true_peak_dbtp, 1);
  return [
    formatDuration(analysis.duration_seconds),
    formatHz(analysis.sample_rate_hz),
    channelsLabel(analysis.channels),
    lufs === null ? 'silent or too short for loudness' : lufs + ' LUFS',
    peak === null ? null : peak + ' dBTP',
  ].filter(Boolean).join(' \u00b7 ');
}
`;
