/**
 * Client script, part 2: talking to the API. XMLHttpRequest rather than
 * fetch, because only XHR reports upload progress. Every failure becomes the
 * API's own error detail (`code`, `message`, extra fields) plus the HTTP
 * status and correlation id, so the page can show exactly what the server said.
 * Measurements wait and ask again while the server says it is busy.
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

/**
 * Attempts at one measurement while the server answers 503 with Retry-After
 * (all its workers busy): at the server's 5 s that is about a minute, enough
 * for a one-worker server to measure three files one after another.
 */
const ANALYSIS_ATTEMPTS = 12;
/** A Retry-After longer than this is waited only this long before the next attempt. */
const MAX_RETRY_WAIT_SECONDS = 30;

/** Seconds a failed request asks to be retried after (a 503 with Retry-After in seconds or as a date), else null. */
function retryAfterSeconds(error) {
  if (error.status !== 503 || !error.retryAfter) return null;
  let seconds = Number(error.retryAfter);
  if (!isFinite(seconds)) {
    const date = Date.parse(error.retryAfter);
    if (isNaN(date)) return null;
    seconds = (date - Date.now()) / 1000;
  }
  return Math.min(MAX_RETRY_WAIT_SECONDS, Math.max(0, seconds));
}

/**
 * POST /analyze with one file; resolves the measurement JSON. A busy server
 * (503 with Retry-After) is asked again after the time it names, up to
 * ANALYSIS_ATTEMPTS in all; onRetry(seconds, nextAttempt, attempts) reports each wait.
 */
function requestAnalysis(blob, filename, onRetry) {
  const attempt = (number) => {
    const form = new FormData();
    form.append('file', blob, filename);
    return send('POST', 'analyze', form)
      .then((response) => response.blob.text())
      .then((text) => JSON.parse(text), (error) => {
        const seconds = retryAfterSeconds(error);
        if (seconds === null || number >= ANALYSIS_ATTEMPTS) throw error;
        if (onRetry) onRetry(seconds, number + 1, ANALYSIS_ATTEMPTS);
        return new Promise((resolve) => setTimeout(resolve, seconds * 1000)).then(() => attempt(number + 1));
      });
  };
  return attempt(1);
}
`;
