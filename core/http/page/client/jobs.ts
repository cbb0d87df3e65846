/**
 * Client script, part 4b: long files go through asynchronous jobs instead of
 * one long request. A target longer than `config.jobThresholdSeconds` (when
 * the server has jobs) is submitted to `POST /jobs`; the page then polls
 * `GET /jobs/{id}` for a determinate progress bar, offers Cancel
 * (`DELETE /jobs/{id}`), and finally downloads `/jobs/{id}/result`. The
 * answer it hands back looks like `/master`'s (`status`, `header(name)`,
 * `blob`), so the rest of the workflow shows either the same way.
 */
export const CLIENT_JOBS = String.raw`
let activeJobId = null;

/** Whether this master goes through a job: the server has jobs and the target is long. */
function usesJob() {
  const analysis = slots.target.analysis;
  return Boolean(config.jobsAvailable && analysis && analysis.duration_seconds > config.jobThresholdSeconds);
}

function showJobProgress(doc) {
  const bar = byId('progress');
  bar.hidden = false;
  bar.value = doc.progress;
  const words = doc.status === 'queued' ? 'Queued on the server\u2026' : 'Mastering on the server\u2026 ' + doc.progress + ' % (' + doc.stage + ')';
  byId('status-text').textContent = doc.cancel_requested ? 'Cancelling\u2026' : words;
  byId('status').setAttribute('data-phase', 'job');
  byId('status').setAttribute('data-job-status', doc.status);
}

function readJson(response) { return response.blob.text().then((text) => JSON.parse(text)); }

/** Polls the job until it finishes; resolves its final document. */
function waitForJob(id) {
  return new Promise((resolve, reject) => {
    const poll = () => {
      send('GET', 'jobs/' + encodeURIComponent(id)).then(readJson).then((doc) => {
        showJobProgress(doc);
        if (doc.status === 'succeeded' || doc.status === 'failed' || doc.status === 'cancelled') resolve(doc);
        else setTimeout(poll, 1000);
      }, reject);
    };
    poll();
  });
}

/** The job's result as a /master-like answer, its headers taken from the job document. */
function jobResponse(doc) {
  return send('GET', 'jobs/' + encodeURIComponent(doc.job_id) + '/result').then((response) => {
    const diagnostics = doc.diagnostics || {};
    const headers = {
      'x-correlation-id': doc.correlation_id,
      'x-mastering-profile-id': diagnostics.profile || '',
      'x-mastering-diagnostics': JSON.stringify(diagnostics),
      'x-artifact-persistence-status': 'stored',
      'x-mastered-object-url': doc.result_url,
    };
    return { status: 200, blob: response.blob, header: (name) => headers[name.toLowerCase()] || response.header(name) };
  });
}

/** Submits, follows and fetches one job; rejects with the API's error, or with job_failed / job_cancelled details. */
function masterAsJob(query, form, hooks) {
  const cancel = byId('cancel-button');
  return send('POST', 'jobs' + query, form, hooks).then(readJson).then((accepted) => {
    activeJobId = accepted.job_id;
    cancel.hidden = false;
    cancel.disabled = false;
    showJobProgress({ status: 'queued', progress: 0, stage: 'queued' });
    return waitForJob(accepted.job_id);
  }).then((doc) => {
    if (doc.status === 'succeeded') return jobResponse(doc);
    if (doc.status === 'cancelled') throw { code: 'job_cancelled', message: 'The job was cancelled; nothing was stored.', correlationId: doc.correlation_id };
    throw Object.assign({ correlationId: doc.correlation_id }, doc.error);
  }).finally(() => {
    activeJobId = null;
    cancel.hidden = true;
  });
}

function cancelActiveJob() {
  if (!activeJobId) return;
  byId('cancel-button').disabled = true;
  send('DELETE', 'jobs/' + encodeURIComponent(activeJobId)).then(readJson).then(showJobProgress, (error) => showError(error, 'Cancel:'));
}

/** The mastering request: POST /master, or a job for a long target. */
function masterOrQueue(query, form, hooks) {
  return usesJob() ? masterAsJob(query, form, { onUploadProgress: hooks.onUploadProgress }) : send('POST', 'master' + query, form, hooks);
}

function initJobs() {
  byId('cancel-button').addEventListener('click', cancelActiveJob);
}
`;
