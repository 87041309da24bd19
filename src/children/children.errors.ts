import { DomainError } from '../common/errors/domain-error.js';

export enum ChildrenErrorCode {
  NotFound = 'children.not-found',
}

export class ChildrenError extends DomainError {
  static notFound(): ChildrenError {
    // Same answer whether the child does not exist or the caller may not see them: no existence leak.
    return new ChildrenError(
      'not-found',
      ChildrenErrorCode.NotFound,
      'No child with that id is on a list you can see. Check the id, or search the list again.',
    );
  }
}
