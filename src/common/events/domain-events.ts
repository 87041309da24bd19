import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { filter, Subject, type Observable } from 'rxjs';

/**
 * Facts one feature announces and others react to, in process (e.g. an import run changed these
 * children, so prioritisation rescores them). Handlers must not throw into the publisher.
 */
export type DomainEvent =
  | { type: 'import.completed'; runId: string; sourceId: string; childIds: string[] }
  | {
      type: 'children.changed';
      childIds: string[];
      reason: 'triage' | 'check-in' | 'override' | 'flag' | 'other';
    }
  | { type: 'tool.activated'; toolVersionId: string };

@Injectable()
export class DomainEvents {
  private readonly logger = new Logger(DomainEvents.name);
  private readonly subject = new Subject<DomainEvent>();

  publish(event: DomainEvent): void {
    this.logger.debug({ type: event.type }, 'domain event');
    this.subject.next(event);
  }

  on<T extends DomainEvent['type']>(type: T): Observable<Extract<DomainEvent, { type: T }>> {
    return this.subject.pipe(
      filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type),
    );
  }
}

@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class DomainEventsModule {}
