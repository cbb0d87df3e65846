/**
 * The web page's stylesheet. Colours are chosen for contrast (body text and
 * controls at least 4.5:1 on their backgrounds, chart lines at least 3:1) and
 * the three signals differ by dash pattern as well as colour, so the charts
 * read without colour vision too.
 */
export const PAGE_CSS = String.raw`
:root {
  --ink: #172033; --muted: #4a5568; --line: #cfd6e3; --bg: #f3f5f9; --card: #ffffff;
  --accent: #1f4fbf; --accent-ink: #ffffff; --focus: #b3261e;
  --target: #b45309; --reference: #1f4fbf; --result: #047857;
  --error-bg: #fdecea; --error-ink: #8a1c12; --ok-bg: #e6f4ea; --ok-ink: #0b5d2a;
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 8px; background: var(--card); padding: 6px 10px; }
.skip:focus { left: 8px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header.top { background: #172033; color: #fff; }
header.top .bar { max-width: 1120px; margin: 0 auto; padding: 14px 20px; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
header.top h1 { margin: 0; font-size: 22px; letter-spacing: .01em; }
header.top p { margin: 0; color: #d6dcea; flex: 1; }
header.top a { color: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 8px 20px 40px; }
section.panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 16px 0; }
section.panel > h2 { margin: 0 0 10px; font-size: 19px; }
h3 { font-size: 15px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.drop { border: 2px dashed var(--line); border-radius: 10px; padding: 12px 14px; background: #fafbfd; transition: border-color .15s, background .15s; }
.drop.dragover { border-color: var(--accent); background: #eef3ff; }
.drop > label { display: block; font-weight: 650; }
.drop .role { font-weight: 400; color: var(--muted); }
.drop input[type=file] { margin: 8px 0 4px; max-width: 100%; font: inherit; }
.drop input[type=file]::file-selector-button { font: inherit; border: 1px solid var(--accent); color: var(--accent); background: #fff; border-radius: 6px; padding: 4px 10px; margin-right: 10px; cursor: pointer; }
.hint { color: var(--muted); font-size: 14px; margin: 2px 0; }
.file-info { font-size: 14px; margin: 6px 0 0; min-height: 1.5em; }
.file-info.error { color: var(--error-ink); }
.options { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 10px 16px; margin: 4px 0 0; }
.options label, .key label { display: block; font-weight: 600; font-size: 14px; }
.options select, .options input, .key input { display: block; width: 100%; margin-top: 3px; font: inherit; padding: 6px 8px; border: 1px solid #8792a8; border-radius: 6px; background: #fff; color: var(--ink); }
.options .hint { font-size: 13px; }
.options .wide { grid-column: 1 / -1; }
.options input[type=checkbox] { display: inline; width: auto; margin: 0 4px 0 0; }
.options input[type=range] { display: inline-block; width: calc(100% - 3.5em); vertical-align: middle; padding: 0; border: 0; }
.options output { display: inline-block; min-width: 3em; text-align: right; font-variant-numeric: tabular-nums; font-weight: 650; }
fieldset.switches { border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: 6px 12px; display: flex; gap: 8px 20px; flex-wrap: wrap; }
fieldset.switches legend { font-weight: 600; font-size: 14px; padding: 0 4px; }
fieldset.switches label.switch { display: inline; font-weight: 400; cursor: pointer; }
.drop-column > .drop + .drop, #extra-references .drop { margin-top: 10px; }
.drop .remove { float: right; padding: 3px 10px; font-size: 13px; }
.more { margin: 10px 0 0; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.more .hint { font-size: 13px; margin: 0; }
.key { margin-top: 12px; max-width: 420px; }
.actions { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; margin-top: 16px; }
button, .button { font: inherit; font-weight: 650; border-radius: 8px; padding: 9px 18px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
/* Buttons set display, which would otherwise beat the hidden attribute (the job Cancel button). */
button[hidden] { display: none; }
button:disabled { background: #8792a8; border-color: #8792a8; cursor: not-allowed; }
.status { flex: 1; min-width: 240px; }
.status progress { width: 100%; height: 10px; accent-color: var(--accent); }
.status p { margin: 2px 0 0; font-size: 14px; }
.alert { background: var(--error-bg); color: var(--error-ink); border: 1px solid #e7a39b; border-radius: 8px; padding: 10px 14px; margin-top: 14px; }
.alert p { margin: 2px 0; }
.notice { background: #fff4d6; color: #4d3300; border: 1px solid #e0c16b; border-radius: 8px; padding: 10px 14px; margin: 0 0 14px; }
.notice p, .notice ul { margin: 2px 0; }
.notice ul { padding-left: 20px; }
.notice code { background: rgba(0,0,0,.06); padding: 0 4px; border-radius: 4px; }
.alert code, .facts code { background: rgba(0,0,0,.06); padding: 0 4px; border-radius: 4px; }
.players { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; }
.player { border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; border-top-width: 5px; }
.player[data-slot=target] { border-top-color: var(--target); }
.player[data-slot=reference] { border-top-color: var(--reference); }
.player[data-slot=result] { border-top-color: var(--result); }
.player h3 { margin: 0 0 4px; color: var(--ink); text-transform: none; letter-spacing: 0; font-size: 16px; }
.player audio { width: 100%; margin-top: 6px; }
.player .gain { font-size: 13px; color: var(--muted); margin: 4px 0 0; }
.player.active { box-shadow: 0 0 0 2px var(--accent); }
fieldset.ab { border: 1px solid var(--line); border-radius: 10px; margin: 14px 0 0; padding: 10px 14px; display: flex; gap: 14px 22px; align-items: center; flex-wrap: wrap; }
fieldset.ab legend { font-weight: 650; padding: 0 4px; }
fieldset.ab label { cursor: pointer; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.pill { display: inline-block; border-radius: 999px; padding: 0 10px; font-weight: 650; font-size: 14px; }
.pill.stored { background: var(--ok-bg); color: var(--ok-ink); }
.pill.deferred { background: #fff4d6; color: #6b4700; }
.pill.skipped { background: #eceff4; color: #3b4456; }
table.metrics { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.metrics th, table.metrics td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; }
table.metrics th[scope=row], table.metrics thead th:first-child { text-align: left; }
table.metrics thead th { border-bottom: 2px solid var(--ink); }
.swatch { display: inline-block; width: 26px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 6px; }
.swatch.target { border-color: var(--target); border-top-style: dashed; }
.swatch.reference { border-color: var(--reference); border-top-style: dotted; }
.swatch.result { border-color: var(--result); }
.legend { display: flex; gap: 18px; flex-wrap: wrap; font-size: 14px; margin: 4px 0; }
figure.chart { margin: 10px 0 0; }
figure.chart svg { width: 100%; height: auto; display: block; background: #fff; }
figure.chart figcaption { font-size: 14px; color: var(--muted); }
svg .grid line { stroke: #e3e8f0; }
svg .axis text { fill: #4a5568; font-size: 12px; }
svg .axis-title { fill: #4a5568; font-size: 12px; }
svg path.series { fill: none; stroke-width: 2.2; stroke-linejoin: round; stroke-linecap: round; }
svg path.series.target { stroke: var(--target); stroke-dasharray: 7 4; }
svg path.series.reference { stroke: var(--reference); stroke-dasharray: 2 3; stroke-width: 2.6; }
svg path.series.result { stroke: var(--result); stroke-width: 2.8; }
details { margin-top: 8px; }
details summary { cursor: pointer; color: var(--accent); }
pre.diagnostics { background: #10131a; color: #e8ecf4; padding: 10px; border-radius: 8px; overflow: auto; max-height: 300px; font-size: 13px; }
.table-scroll { overflow-x: auto; }
@media (max-width: 640px) {
  main { padding: 4px 10px 30px; }
  section.panel { padding: 12px; }
  header.top .bar { padding: 10px 12px; }
  table.metrics th, table.metrics td { padding: 4px 6px; font-size: 14px; }
  .facts { grid-template-columns: 1fr; }
  .facts dt { margin-top: 6px; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
`;
