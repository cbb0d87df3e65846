/**
 * Domain events of the mastering pipeline and persistence (SPEC section 7).
 * The payload is a small summary (numbers, ids, strategy names), never audio.
 */
export const DOMAIN_EVENT_NAMES = [
  'IngestValidated',
  'TrackAnalyzed',
  'MasteringDecided',
  'MasteringRendered',
  /** The master was made, with warnings (payload `warnings: [{ code, message, ...details }]`). */
  'MasteringWarned',
  'ArtifactStored',
  'ArtifactPersistenceQueued',
  'ArtifactPersistenceFailed',
  'MasteringFailed',
] as const;

export type DomainEventName = (typeof DOMAIN_EVENT_NAMES)[number];

export interface DomainEvent {
  readonly name: DomainEventName;
  readonly correlationId: string;
  /** ISO-8601 timestamp. */
  readonly occurredAt: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Port: where domain events go. The default drops them; the tslog adapter logs them. */
export interface EventPublisher {
  publish(event: DomainEvent): void;
}

export const noopEventPublisher: EventPublisher = { publish() {} };

/** Collects events in memory; handy for tests and for carrying events out of a worker. */
export function createRecordingPublisher(): EventPublisher & { readonly events: DomainEvent[] } {
  const events: DomainEvent[] = [];
  return { events, publish: (event) => void events.push(event) };
}
