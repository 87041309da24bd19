import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth-user.js';
import { AuthError } from '../auth.errors.js';
import { FamilyChildRepository } from './family-child.repository.js';

/**
 * Pins a family user to exactly one child. With an NHS number claim (NHS login) the child is found
 * in the database; a child id claim (a family-link session) must agree with it when both are present.
 */
@Injectable()
export class FamilyAccess {
  constructor(private readonly children: FamilyChildRepository) {}

  async resolve(user: AuthUser): Promise<AuthUser> {
    if (user.role !== 'family') return user;
    if (user.nhsNumber) {
      const childId = await this.children.childIdForNhsNumber(user.nhsNumber);
      if (!childId || (user.childId && user.childId !== childId)) {
        throw AuthError.familyChildNotFound();
      }
      return { ...user, childId };
    }
    if (!user.childId) throw AuthError.familyChildNotFound();
    return user;
  }
}
