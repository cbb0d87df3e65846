/**
 * Client script, part 2: talking to the API. XMLHttpRequest rather than
 * fetch, because only XHR reports upload progress. Every failure becomes the
 * API's own error detail (`code`, `message`, extra fields) plus the HTTP
 * status and correlation id, so the page can show exactly what the server said.
 */
export const CLIENT_API = String.raw`
/** The key the user pasted, sent as a bearer token; it lives only in this input. */
function authorize(xhr) {
  const key = byId('api-key').value.trim();
  if (key) xhr.setRequestHeader('Authorization', 'Bearer ' + key);
}

/**
 * Sends a request; resolves { status, header(name), blob } for 2xx, rejects
 * with the error detail otherwise. hooks: onUploadProgress(loaded, total), onUploaded().
 */
function send(method, url, body, hooks) {
  hooks = hooks || {};
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.responseType = 'blob';
    authorize(xhr);
    if (hooks.onUploadProgress) {
      xhr.upload.addEventListener('progress', (event) => { if (event.lengthComputable) hooks.onUploadProgress(event.loaded, event.total); });
    }
    if (hooks.onUploaded) xhr.upload.addEventListener('load', hooks.onUploaded);
    xhr.addEventListener('load', () => {
      const response = { status: xhr.status, header: (name) => xhr.getResponseHeader(name), blob: xhr.response };
      if (xhr.status >= 200 && xhr.status < 300) resolve(response);
      else readError(response).then(reject);
    });
    xhr.addEventListener('error', () => reject({
      code: 'network_error', status: 0,
      message: 'The server could not be reached, or it closed the connection. Check that it is running and try again.',
    }));
    xhr.send(body);
  });
}

/** The API's error detail from a failed response (or a description of a body that has none). */
function readError(response) {
  const fallback = { code: 'http_' + response.status, message: 'The server answered HTTP ' + response.status + ' without an error body.' };
  const text = response.blob ? response.blob.text() : Promise.resolve('');
  return text.then((body) => {
    let detail = null;
    try { detail = JSON.parse(body).detail; } catch (ignored) { detail = null; }
    const error = Object.assign({}, detail && typeof detail.code === 'string' ? detail : fallback);
    error.status = response.status;
    error.correlationId = response.header('X-Correlation-Id');
    error.retryAfter = response.header('Retry-After');
    return error;
  }, () => Object.assign({ status: response.status }, fallback));
}

/** POST /analyze with one file; resolves the measurement JSON. */
function requestAnalysis(blob, filename) {
  const form = new FormData();
  form.append('file', blob, filename);
  return send('POST', 'analyze', form).then((response) => response.blob.text()).then((text) => JSON.parse(text));
}
`;
