/**
 * The route table: every route the app serves, in one place. The router, the
 * API-key check and the OpenAPI document are all built from it.
 */
import type { RouteDefinition } from '../context.ts';
import { analyze } from './analyze.ts';
import { getArtifact } from './artifacts.ts';
import { docs } from './docs.ts';
import { health } from './health.ts';
import { MASTER_QUERY_PARAMETERS } from '../query.ts';
import { CALLBACK_PARAMETER, deleteJob, getJob, getJobResult, LIST_JOBS_PARAMETERS, listJobs, postJob } from './jobs.ts';
import { master } from './master.ts';
import { metricsRoute } from './metrics.ts';
import { openApiJson } from './openapi-json.ts';
import { page } from './page.ts';
import { ready } from './ready.ts';

/**
 * Open routes: probes, documentation and the web page (no secrets;
 * orchestrators and browsers reach them without a key; the page asks the user
 * for a key when the server needs one). Mastering, analysis and metrics need
 * a key when keys are configured, and so do jobs (each belongs to the key that submitted it).
 */
const MASTER_PARAMETER_NAMES = Object.keys(MASTER_QUERY_PARAMETERS);

/**
 * The API's operations read only the query parameters listed in `query`
 * (anything else is `400 unknown_parameter`); the page, documents, probes
 * and metrics take none of their own and ignore what browsers, scrapers and
 * orchestrators may add.
 */
export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/', operationId: 'getPage', requiresApiKey: false, handle: page },
  { method: 'GET', path: '/health', operationId: 'getHealth', requiresApiKey: false, handle: health },
  { method: 'GET', path: '/ready', operationId: 'getReady', requiresApiKey: false, handle: ready },
  { method: 'POST', path: '/master', operationId: 'postMaster', requiresApiKey: true, admitted: true, query: MASTER_PARAMETER_NAMES, handle: master },
  { method: 'POST', path: '/analyze', operationId: 'postAnalyze', requiresApiKey: true, admitted: true, query: [], handle: analyze },
  { method: 'POST', path: '/jobs', operationId: 'postJob', requiresApiKey: true, admitted: true, query: [...MASTER_PARAMETER_NAMES, CALLBACK_PARAMETER], handle: postJob },
  { method: 'GET', path: '/jobs', operationId: 'listJobs', requiresApiKey: true, query: LIST_JOBS_PARAMETERS, handle: listJobs },
  { method: 'GET', path: '/jobs/:id', operationId: 'getJob', requiresApiKey: true, query: [], handle: getJob },
  { method: 'DELETE', path: '/jobs/:id', operationId: 'deleteJob', requiresApiKey: true, query: [], handle: deleteJob },
  { method: 'GET', path: '/jobs/:id/result', operationId: 'getJobResult', requiresApiKey: true, query: [], handle: getJobResult },
  { method: 'GET', path: '/artifacts/:key+', operationId: 'getArtifact', requiresApiKey: true, query: [], handle: getArtifact },
  { method: 'GET', path: '/openapi.json', operationId: 'getOpenApi', requiresApiKey: false, handle: openApiJson },
  { method: 'GET', path: '/docs', operationId: 'getDocs', requiresApiKey: false, handle: docs },
  { method: 'GET', path: '/metrics', operationId: 'getMetrics', requiresApiKey: true, handle: metricsRoute },
];
