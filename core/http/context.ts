/**
 * What route handlers receive: the resolved ports and settings of the app
 * (`AppDeps`) and the per-request context (correlation id, parsed URL).
 */
import type { ArtifactPersister } from '../app/persist-artifact.ts';
import type { AnalysisRunner, AppLogger, ArtifactQueue, ArtifactStorage, Clock, IdGenerator, MasteringRunner } from '../app/ports.ts';
import type { CallbackSettings, HostResolver } from '../app/jobs/callbacks.ts';
import type { JobQueue } from '../app/jobs/job-queue.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { CorsPolicy } from './cors.ts';
import type { AppMetrics } from './metrics.ts';
import type { UploadLimits } from './multipart.ts';
import type { Readiness } from './readiness.ts';

export interface AppDeps {
  readonly runner: MasteringRunner;
  /** Runs `POST /analyze` jobs. */
  readonly analysisRunner: AnalysisRunner;
  readonly persister: ArtifactPersister;
  /** null when storage is disabled. */
  readonly storage: ArtifactStorage | null;
  readonly queue: ArtifactQueue | null;
  readonly events: EventPublisher;
  readonly logger: AppLogger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly metrics: AppMetrics;
  readonly limits: UploadLimits;
  /**
   * Admission control for the CPU work of `POST /master` and `POST /analyze`:
   * at most `maxAdmitted` (the runner's concurrency + maxPending) at once,
   * counted from before the upload is read until the response is ready.
   */
  readonly admission: { readonly maxAdmitted: number; inFlight: number };
  readonly apiKeys: readonly string[];
  readonly cors: CorsPolicy;
  /** One round of readiness checks (shared by concurrent probes, kept for a second). */
  readonly readiness: () => Promise<Readiness>;
  /** Public base URL of the API when configured (`AUDO_EQ_PUBLIC_URL`), for URLs in responses; else the request's origin is used. */
  readonly publicUrl: string | null;
  /** Where an embedding server mounts the handler (`/audo-eq`), or `''`; joined to the request's origin when there is no public URL. */
  readonly basePath: string;
  /** Asynchronous jobs, or null when this app has no job queue (`/jobs` answers `503 jobs_unavailable`). */
  readonly jobs: AppJobs | null;
  /** The OpenAPI document `/openapi.json` serves (built once from the route table). */
  readonly openApiDocument: Readonly<Record<string, unknown>>;
  /** How a route's bytes (a master, an artifact, a job's result) become a response body; the route sets Content-Length. */
  readonly byteBody: (bytes: Uint8Array) => BodyInit;
}

/** The job queue and what the job routes need around it. */
export interface AppJobs {
  readonly queue: JobQueue;
  readonly callbacks: CallbackSettings;
  /** Resolves callback hosts to check their addresses at submission. */
  readonly resolveHost: HostResolver;
  /** How long a queue call may take before the answer is `503 queue_unavailable`. */
  readonly timeoutMs: number;
}

export interface RequestContext {
  readonly correlationId: string;
  readonly url: URL;
  readonly deps: AppDeps;
}

export type RouteHandler = (request: Request, context: RequestContext) => Response | Promise<Response>;

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The path; `:name` segments are parameters (`/jobs/:id`). */
  readonly path: string;
  /** Key into the OpenAPI operation descriptions. */
  readonly operationId: string;
  /** Whether configured API keys are enforced on this route. */
  readonly requiresApiKey: boolean;
  /**
   * Counts toward the admission bound (core/http/admission.ts): CPU work or
   * uploads held in memory. One more than the bound is `503 overloaded`
   * before the handler runs.
   */
  readonly admitted?: boolean;
  /**
   * The query parameters the route reads; any other is `400 unknown_parameter`.
   * Absent on the page, documents and probes, which browsers, scrapers and
   * orchestrators may decorate with parameters of their own.
   */
  readonly query?: readonly string[];
  readonly handle: RouteHandler;
}
