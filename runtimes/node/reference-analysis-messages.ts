/** What the calling thread and the reference analysis thread say to each other. */
import type { MasteringUploadFile } from '../../core/app/ports.ts';
import type { AnalyzedReference } from '../../core/app/reference-analysis.ts';
import type { WireError } from '../../core/app/worker-protocol.ts';
import type { IngestPolicy } from '../../core/domain/policies.ts';

/** The references as uploads (bytes, copied to the thread) or as files the thread reads itself. */
export type ReferenceAnalysisRequest = { readonly id: number } & (
  | { readonly uploads: readonly MasteringUploadFile[]; readonly policy: IngestPolicy }
  | { readonly paths: readonly string[]; readonly policy: IngestPolicy }
);

/** The answer to the request with the same `id` (a kept thread answers one request after another). */
export type ReferenceAnalysisReply = { readonly id: number } & (
  | { readonly type: 'analyzed'; readonly references: AnalyzedReference[] }
  | { readonly type: 'failed'; readonly error: WireError }
);
