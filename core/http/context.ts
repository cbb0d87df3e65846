/**
 * What route handlers receive: the resolved ports and settings of the app
 * (`AppDeps`) and the per-request context (correlation id, parsed URL).
 */
import type { ArtifactPersister } from '../app/persist-artifact.ts';
import type { AnalysisRunner, AppLogger, ArtifactQueue, ArtifactStorage, Clock, IdGenerator, MasteringRunner } from '../app/ports.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { CorsPolicy } from './cors.ts';
import type { AppMetrics } from './metrics.ts';
import type { UploadLimits } from './multipart.ts';

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
  /** How long `/ready` waits for each dependency. */
  readonly readyTimeoutMs: number;
  /** The OpenAPI document `/openapi.json` serves (built once from the route table). */
  readonly openApiDocument: Readonly<Record<string, unknown>>;
}

export interface RequestContext {
  readonly correlationId: string;
  readonly url: URL;
  readonly deps: AppDeps;
}

export type RouteHandler = (request: Request, context: RequestContext) => Response | Promise<Response>;

export interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Key into the OpenAPI operation descriptions. */
  readonly operationId: string;
  /** Whether configured API keys are enforced on this route. */
  readonly requiresApiKey: boolean;
  readonly handle: RouteHandler;
}
