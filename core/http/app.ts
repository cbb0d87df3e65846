/**
 * The core HTTP app (itty-router, `Request -> Response`): correlation ids,
 * CORS, API keys, routing with 404/405, the error body everywhere, one access
 * log line and metrics per request.
 */
import { Router, type IRequest } from 'itty-router';
import { createArtifactPersister, type ArtifactPersister, type PersistencePolicy } from '../app/persist-artifact.ts';
import { createLoggingEventPublisher, silentLogger } from '../app/logging-event-publisher.ts';
import { canRunAnalysis, createInProcessAnalysisRunner } from '../app/in-process-analysis-runner.ts';
import type { AnalysisRunner, AppLogger, ArtifactQueue, ArtifactStorage, Clock, IdGenerator, MasteringRunner } from '../app/ports.ts';
import { AudoEqError } from '../domain/errors.ts';
import type { EventPublisher } from '../domain/events.ts';
import { requireApiKey } from './auth.ts';
import type { CallbackSettings, HostResolver } from '../app/jobs/callbacks.ts';
import type { JobQueue } from '../app/jobs/job-queue.ts';
import type { AppDeps, RequestContext, RouteDefinition } from './context.ts';
import { CORRELATION_HEADER, resolveCorrelationId } from './correlation.ts';
import { applyCors, isPreflight, preflightResponse } from './cors.ts';
import { createMetrics, type AppMetrics } from './metrics.ts';
import type { UploadLimits } from './multipart.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { errorResponse, toAudoEqError } from './responses.ts';
import { ROUTES } from './routes/index.ts';
import { rejectUnknownQuery } from './unknown-parameters.ts';
import { openApiPath, pathPattern } from './route-path.ts';
import { createReadinessProbe } from './readiness.ts';
import { withAdmission } from './admission.ts';
import { DEFAULT_LIMITS } from '../domain/limits.ts';

/** A fetch-style handler: what every runtime and embedding server mounts. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** The handler plus the routes its router actually registered (method, path). */
export type App = FetchHandler & { readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }> };

/** Everything the app can be given; only `runner` is required here (`createHandler` supplies a default). */
export interface AppOptions {
  readonly runner: MasteringRunner;
  /**
   * Runs `POST /analyze` jobs. Default: `runner` itself when it also has
   * `runAnalysis` (a worker pool handling both job kinds), else the in-process analysis runner.
   */
  readonly analysisRunner?: AnalysisRunner;
  /** Where artifacts go; absent or null means storage disabled (`skipped`). */
  readonly storage?: ArtifactStorage | null;
  /** Deferred-persistence queue (mode `deferred` only). */
  readonly queue?: ArtifactQueue | null;
  /** Default `{ mode: 'immediate', guarantee: 'best-effort' }`. */
  readonly persistence?: PersistencePolicy;
  /** Default: events are logged as `domain_event_emitted` through `logger`. */
  readonly events?: EventPublisher;
  /** Default: silent. */
  readonly logger?: AppLogger;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  readonly metrics?: AppMetrics;
  /**
   * Default `DEFAULT_LIMITS`: per file what an hour of 24-bit 48 kHz stereo
   * needs (≈ 997 MiB), two files plus 1 MiB per request, 30 min per upload, 30 s
   * of upload silence; no spool (uploads held in memory; the Node server spools large ones to disk).
   */
  readonly limits?: Partial<UploadLimits>;
  /**
   * Masterings and analyses that may wait (uploading, or queued for a free worker) beside
   * the `runner.concurrency` that run; one more is `503 overloaded` with
   * `Retry-After`, answered before its upload is read. Default 8.
   */
  readonly maxPending?: number;
  /** When non-empty, `/master`, `/analyze` and `/metrics` need one of these keys. */
  readonly apiKeys?: readonly string[];
  /** Allowed CORS origins (`*` for any); default none. */
  readonly corsOrigins?: readonly string[];
  /** How long `/ready` waits for each dependency; default 2000 ms. */
  readonly readyTimeoutMs?: number;
  /**
   * How a route's bytes (a master, an artifact) become a response body;
   * default the bytes themselves. A runtime whose `Response` copies an array
   * it is given (Node's does: tens of megabytes of fresh memory per master)
   * passes `bytesBody` (responses.ts), a stream of views of them, where its
   * server keeps the route's Content-Length for a streamed body (Node's does;
   * Bun's sends it chunked).
   */
  readonly byteBody?: (bytes: Uint8Array) => BodyInit;
  /** Public base URL of the API (e.g. `https://master.example.com`) for URLs in responses; default: the request's origin plus `basePath`. */
  readonly publicUrl?: string | null;
  /** The path an embedding server mounts the handler under (e.g. `/audo-eq`), for URLs in responses; default none. */
  readonly basePath?: string;
  /**
   * Asynchronous jobs (`/jobs`): the queue, plus callback settings (default:
   * no secret, so callback URLs are refused) and a host resolver (default:
   * none, so only IP-literal callback hosts can be checked). Without it the
   * job routes answer `503 jobs_unavailable`.
   */
  readonly jobs?: {
    readonly queue: JobQueue;
    readonly callbacks?: CallbackSettings;
    readonly resolveHost?: HostResolver;
    /** Default 2000 ms. */
    readonly timeoutMs?: number;
  } | null;
}

const NO_CALLBACKS: CallbackSettings = { secret: null, allowList: { hosts: [], ranges: [] }, maxAttempts: 1, baseDelayMs: 1000, maxDelayMs: 1000, timeoutMs: 5000 };
const noResolver: HostResolver = async (host) => {
  throw new Error(`no resolver for ${host}`);
};


/** Resolves options to the dependencies route handlers see, with embedded defaults. */
function resolveDeps(options: AppOptions): AppDeps {
  const logger = options.logger ?? silentLogger;
  const events = options.events ?? createLoggingEventPublisher(logger);
  const clock = options.clock ?? { now: () => new Date() };
  const ids = options.ids ?? (() => crypto.randomUUID());
  const storage = options.storage ?? null;
  const queue = options.queue ?? null;
  const metrics = options.metrics ?? createMetrics();
  const persister: ArtifactPersister = createArtifactPersister({
    policy: options.persistence ?? { mode: 'immediate', guarantee: 'best-effort' },
    storage,
    queue,
    events,
    logger,
    clock,
    ids,
  });
  if (queue) {
    metrics.registerGauge('audo_eq_persistence_queue_depth', 'Deferred persistence tasks not yet stored (waiting, in flight or waiting for a retry).', () => queue.depth());
    metrics.registerGauge('audo_eq_persistence_queue_oldest_age_seconds', 'Age of the oldest deferred persistence task not yet stored (0 when none).', async () => ((await queue.oldestAgeMs()) ?? 0) / 1000);
    metrics.registerGauge('audo_eq_persistence_queue_dead_letters', 'Deferred persistence tasks in the dead-letter queue.', () => queue.deadLetterDepth());
  }
  const jobs = options.jobs
    ? {
        queue: options.jobs.queue,
        callbacks: options.jobs.callbacks ?? NO_CALLBACKS,
        resolveHost: options.jobs.resolveHost ?? noResolver,
        timeoutMs: options.jobs.timeoutMs ?? 2000,
      }
    : null;
  if (jobs) {
    const { queue: jobQueue } = jobs;
    metrics.registerGaugeFamily('audo_eq_jobs', 'Asynchronous mastering jobs by state (finished ones while retained).', 'state', () => jobQueue.counts());
    if (jobQueue.timings) metrics.registerJobTimings(jobQueue.timings.bind(jobQueue));
  }
  const { runner } = options;
  if (runner.stats) {
    const stats = runner.stats.bind(runner);
    metrics.registerGauge('audo_eq_workers', 'Workers for mastering and analysis jobs (jobs that can run at once).', () => stats().workers);
    metrics.registerGauge('audo_eq_worker_jobs_running', 'Mastering and analysis jobs running in a worker.', () => stats().running);
    metrics.registerGauge('audo_eq_worker_jobs_waiting', 'Mastering and analysis jobs waiting for a free worker.', () => stats().waiting);
  }
  const maxFileBytes = options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  return {
    runner,
    analysisRunner: options.analysisRunner ?? (canRunAnalysis(runner) ? runner : createInProcessAnalysisRunner()),
    persister,
    storage,
    queue,
    events,
    logger,
    clock,
    ids,
    metrics,
    limits: {
      maxFileBytes,
      maxRequestBytes: options.limits?.maxRequestBytes ?? Math.max(DEFAULT_LIMITS.maxRequestBytes, maxFileBytes),
      timeoutMs: options.limits?.timeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
      idleTimeoutMs: options.limits?.idleTimeoutMs ?? DEFAULT_LIMITS.uploadIdleTimeoutMs,
      spool: options.limits?.spool ?? null,
    },
    admission: { maxAdmitted: Math.max(1, runner.concurrency ?? 1) + Math.max(0, options.maxPending ?? DEFAULT_LIMITS.maxPending), inFlight: 0 },
    apiKeys: options.apiKeys ?? [],
    cors: { allowedOrigins: options.corsOrigins ?? [] },
    readiness: createReadinessProbe({ storage, queue, jobQueue: jobs?.queue ?? null, timeoutMs: options.readyTimeoutMs ?? 2000 }),
    publicUrl: options.publicUrl ? options.publicUrl.replace(/\/+$/, '') : null,
    basePath: (options.basePath ?? '').replace(/\/+$/, ''),
    jobs,
    openApiDocument: buildOpenApiDocument(ROUTES),
    byteBody: options.byteBody ?? ((bytes) => bytes as Uint8Array<ArrayBuffer>),
  };
}

/** 404 for an unknown path, 405 (with `Allow`) for a known path and another method. */
const ROUTE_PATTERNS = ROUTES.map((route) => ({ route, pattern: pathPattern(route.path) }));

/** The route definitions whose path matches `pathname`. */
function routesAt(pathname: string): RouteDefinition[] {
  return ROUTE_PATTERNS.filter(({ pattern }) => pattern.test(pathname)).map(({ route }) => route);
}

function unmatched(request: Request, url: URL): Response {
  const methods: string[] = routesAt(url.pathname).map((route) => route.method);
  if (methods.length === 0) return errorResponse(new AudoEqError('not_found'));
  if (methods.includes('GET')) methods.push('HEAD');
  return errorResponse(
    new AudoEqError('method_not_allowed', `${request.method} is not allowed on ${url.pathname}; use ${methods.join(', ')}.`, { allowed_methods: methods }),
    { allow: methods.join(', ') },
  );
}

/**
 * Builds the core HTTP app.
 *
 * @example
 * const app = createApp({ runner: createInProcessRunner() });
 * const response = await app(new Request('http://x/health')); // 200 {"status":"ok"}
 */
export function createApp(options: AppOptions): App {
  const deps = resolveDeps(options);
  const { logger, metrics } = deps;

  const router = Router<IRequest, [RequestContext]>({
    catch: (error: unknown, _request: IRequest, context: RequestContext) => {
      const product = toAudoEqError(error);
      if (product.code === 'internal_error') {
        logger.error('request failed', { correlation_id: context.correlationId, error: product.cause ?? error });
      }
      const response = errorResponse(product);
      if (product.code === 'unauthorized') response.headers.set('www-authenticate', 'Bearer');
      return response;
    },
  });
  const authenticate = (request: IRequest, context: RequestContext) => {
    requireApiKey(request.headers, context.deps.apiKeys);
  };
  // After the key check (a caller without a key learns nothing about the route), before any of the body is read.
  const strictQuery = (known: readonly string[]) => (_request: IRequest, context: RequestContext) => {
    rejectUnknownQuery(context.url.searchParams, known);
  };
  for (const route of ROUTES) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'delete';
    const handle = route.admitted ? withAdmission(route.handle) : route.handle;
    // Key, then names, then admission: a request that cannot be served never takes a slot.
    const handlers = [...(route.requiresApiKey ? [authenticate] : []), ...(route.query ? [strictQuery(route.query)] : []), handle];
    router[method](route.path, ...(handlers as Array<(request: IRequest, context: RequestContext) => unknown>));
  }
  router.all('*', (request: IRequest, context: RequestContext) => unmatched(request, context.url));

  const handler = async (incoming: Request): Promise<Response> => {
    const startedMs = performance.now();
    const url = new URL(incoming.url);
    const correlationId = resolveCorrelationId(incoming.headers, deps.ids);
    // HEAD is GET without a body (RFC 9110); the router only knows GET.
    const request = incoming.method === 'HEAD' ? new Request(incoming, { method: 'GET' }) : incoming;
    let response: Response;
    if (isPreflight(request) && deps.cors.allowedOrigins.length > 0) {
      response = preflightResponse(request, deps.cors);
    } else {
      response = (await router.fetch(request as IRequest, { correlationId, url, deps })) as Response;
    }
    response.headers.set(CORRELATION_HEADER, correlationId);
    applyCors(request, response, deps.cors);
    if (incoming.method === 'HEAD') response = new Response(null, { status: response.status, headers: response.headers });

    // Metrics label by route pattern (`/jobs/{id}`), never by the raw path.
    const matched = routesAt(url.pathname).find((candidate) => candidate.method === request.method);
    const route = matched ? openApiPath(matched.path) : 'unmatched';
    const seconds = (performance.now() - startedMs) / 1000;
    metrics.observeRequest(incoming.method, route, response.status, seconds);
    logger.info('http_request', {
      method: incoming.method,
      path: url.pathname,
      status: response.status,
      duration_ms: Math.round(seconds * 10_000) / 10,
      correlation_id: correlationId,
    });
    return response;
  };
  const routes = router.routes
    .filter(([method]) => method !== 'ALL')
    // itty-router stores paths without their trailing slash, so the root comes back as ''.
    .map(([method, , , path]) => ({ method, path: openApiPath(path || '/') }));
  return Object.assign(handler, { routes });
}
