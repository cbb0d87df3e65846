/**
 * `GET /docs`: a self-contained HTML page that fetches `/openapi.json` and
 * renders every route, parameter, header and error, with a "try it" form per
 * operation. No CDN, no external asset: it works offline.
 */
import type { RouteHandler } from '../context.ts';

// The page's script avoids template literals so it can live inside this one.
const DOCS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>audo-eq API</title>
<style>
  :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee8; --accent: #2457c5; --bg: #f6f7fb; }
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
  header, main { max-width: 960px; margin: 0 auto; padding: 16px 20px; }
  h1 { margin: 8px 0 0; } .lead { color: var(--muted); white-space: pre-wrap; }
  section.op { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 16px 0; padding: 12px 16px; }
  .method { display: inline-block; min-width: 52px; text-align: center; font-weight: 700; color: #fff; border-radius: 4px; padding: 0 6px; margin-right: 8px; }
  .GET { background: #2f8a4c; } .POST { background: var(--accent); }
  code, .path { font-family: ui-monospace, monospace; } .path { font-weight: 600; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; } th, td { text-align: left; border-top: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
  th { color: var(--muted); font-weight: 600; } h3 { margin: 12px 0 2px; font-size: 14px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
  form.try { background: var(--bg); border-radius: 6px; padding: 8px 10px; } form.try label { display: block; margin: 4px 0; }
  form.try input, form.try select { margin-left: 6px; } pre.out { background: #10131a; color: #e8ecf4; padding: 8px; border-radius: 6px; overflow: auto; max-height: 320px; white-space: pre-wrap; }
  .lock { color: #a05a00; font-size: 13px; margin-left: 8px; }
</style>
</head>
<body>
<header><h1>audo-eq API</h1><p class="lead" id="lead">Loading /openapi.json …</p>
<label>API key (only when the server requires one): <input id="api-key" type="password" autocomplete="off"></label></header>
<main id="ops"></main>
<script>
(function () {
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function resolve(doc, obj) {
    var seen = 0;
    while (obj && obj.$ref && seen++ < 8) {
      obj = obj.$ref.replace(/^#\\//, '').split('/').reduce(function (o, k) { return o && o[k]; }, doc);
    }
    return obj || {};
  }
  // Backtick spans in OpenAPI text become <code>; everything else stays text.
  function rich(text) {
    return String(text).split('\u0060').map(function (part, i) { return i % 2 ? el('code', { text: part }) : document.createTextNode(part); });
  }
  function table(head, rows) {
    var t = el('table', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))]);
    rows.forEach(function (r) { t.appendChild(el('tr', {}, r.map(function (c) { return el('td', {}, rich(c)); }))); });
    return t;
  }
  function errorCodes(doc, response) {
    var media = response.content && response.content['application/json'];
    var schema = media && media.schema;
    var codes = [];
    (schema && schema.allOf || []).forEach(function (part) {
      var code = part.properties && part.properties.detail && part.properties.detail.properties && part.properties.detail.properties.code;
      if (code && code.enum) codes = codes.concat(code.enum);
    });
    return codes;
  }
  function tryForm(doc, path, method, op) {
    var form = el('form', { class: 'try', 'data-operation': op.operationId });
    var params = (op.parameters || []).map(function (p) { return resolve(doc, p); });
    params.forEach(function (p) {
      var input;
      if (p.schema && p.schema.enum) {
        input = el('select', { name: p.name, 'data-in': p.in }, [el('option', { value: '', text: '(default)' })].concat(p.schema.enum.map(function (v) { return el('option', { value: v, text: v }); })));
      } else {
        input = el('input', { name: p.name, 'data-in': p.in, placeholder: p.in === 'header' ? 'header' : 'query' });
      }
      form.appendChild(el('label', {}, [p.name + ' ', input]));
    });
    var body = op.requestBody && op.requestBody.content && op.requestBody.content['multipart/form-data'];
    if (body) {
      Object.keys(body.schema.properties).forEach(function (name) {
        var attributes = { type: 'file', name: name, 'data-in': 'file' };
        if (body.schema.properties[name].type === 'array') attributes.multiple = 'multiple';
        form.appendChild(el('label', {}, [name + ' ', el('input', attributes)]));
      });
    }
    var out = el('pre', { class: 'out', hidden: 'hidden' });
    form.appendChild(el('button', { type: 'submit', text: 'Send ' + method.toUpperCase() + ' ' + path }));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var query = new URLSearchParams(); var headers = new Headers(); var data = null;
      Array.prototype.forEach.call(form.querySelectorAll('[data-in]'), function (input) {
        var where = input.getAttribute('data-in');
        if (where === 'file') { Array.prototype.forEach.call(input.files, function (file) { data = data || new FormData(); data.append(input.name, file); }); return; }
        if (!input.value) return;
        if (where === 'query') query.append(input.name, input.value); else headers.set(input.name, input.value);
      });
      if (body && !data) data = new FormData();
      var key = document.getElementById('api-key').value;
      if (key) headers.set('Authorization', 'Bearer ' + key);
      var url = path + (query.toString() ? '?' + query : '');
      out.hidden = false; out.textContent = 'Sending ' + method.toUpperCase() + ' ' + url + ' …';
      fetch(url, { method: method.toUpperCase(), headers: headers, body: data }).then(function (response) {
        var lines = ['HTTP ' + response.status];
        response.headers.forEach(function (v, k) { lines.push(k + ': ' + v); });
        var type = response.headers.get('content-type') || '';
        if (type.indexOf('audio/') === 0) {
          return response.blob().then(function (blob) {
            out.textContent = lines.join('\\n') + '\\n\\n(' + blob.size + ' bytes of audio)';
            var link = el('a', { href: URL.createObjectURL(blob), download: 'mastered.wav', text: 'Download mastered.wav' });
            out.appendChild(document.createTextNode('\\n')); out.appendChild(link);
          });
        }
        return response.text().then(function (text) { out.textContent = lines.join('\\n') + '\\n\\n' + text; });
      }).catch(function (error) { out.textContent = 'Request failed: ' + error; });
    });
    form.appendChild(out);
    return form;
  }
  function renderOperation(doc, path, method, op) {
    var section = el('section', { class: 'op', id: op.operationId, 'data-path': path, 'data-method': method.toUpperCase() });
    var title = el('h2', {}, [el('span', { class: 'method ' + method.toUpperCase(), text: method.toUpperCase() }), el('span', { class: 'path', text: path }), ' ', op.summary || '']);
    if (op.security && op.security.some(function (s) { return Object.keys(s).length > 0; })) title.appendChild(el('span', { class: 'lock', text: 'API key when configured' }));
    section.appendChild(title);
    section.appendChild(el('p', {}, rich(op.description || '')));
    var params = (op.parameters || []).map(function (p) { return resolve(doc, p); });
    if (params.length) {
      section.appendChild(el('h3', { text: 'Parameters' }));
      section.appendChild(table(['name', 'in', 'values', 'description'], params.map(function (p) {
        var s = p.schema || {};
        var values = s.enum ? s.enum.join(', ') : (s.type || '') + (s.minimum !== undefined ? ' [' + s.minimum + ', ' + s.maximum + ']' : '');
        return [p.name, p.in, values + (s.default !== undefined ? ' (default ' + s.default + ')' : ''), p.description || ''];
      })));
    }
    var rows = []; var headerRows = [];
    Object.keys(op.responses || {}).forEach(function (status) {
      var response = resolve(doc, op.responses[status]);
      var codes = errorCodes(doc, response);
      rows.push([status, codes.length ? codes.join(', ') : (response.description || '')]);
      Object.keys(response.headers || {}).forEach(function (name) {
        // X-Correlation-Id is on every response: list it once, under the success status.
        if (name === 'X-Correlation-Id' && status.charAt(0) !== '2') return;
        headerRows.push([status, name, resolve(doc, response.headers[name]).description || '']);
      });
    });
    section.appendChild(el('h3', { text: 'Responses and error codes' }));
    section.appendChild(table(['status', 'meaning / codes'], rows));
    section.appendChild(el('h3', { text: 'Response headers' }));
    section.appendChild(table(['status', 'header', 'description'], headerRows));
    section.appendChild(el('h3', { text: 'Try it' }));
    section.appendChild(tryForm(doc, path, method, op));
    return section;
  }
  fetch('openapi.json').then(function (r) { return r.json(); }).then(function (doc) {
    var lead = document.getElementById('lead'); lead.textContent = '';
    rich(doc.info.description).forEach(function (node) { lead.appendChild(node); });
    var main = document.getElementById('ops');
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) { main.appendChild(renderOperation(doc, path, method, doc.paths[path][method])); });
    });
    document.body.setAttribute('data-rendered', 'true');
  }).catch(function (error) { document.getElementById('lead').textContent = 'Could not load /openapi.json: ' + error; });
})();
</script>
</body>
</html>
`;

/** @example await docs(request, context) // 200 text/html rendering /openapi.json */
export const docs: RouteHandler = () =>
  new Response(DOCS_PAGE_HTML, {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      // Same-origin only: the page never loads anything from elsewhere.
      'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:",
    },
  });
