import type { ServerResponse } from 'node:http';
import { OwnerSets } from './owner-sets.js';

/**
 * What one identity's unread answers may hold of the server together: a few large lists in flight,
 * and no more. Past it the identity's answer holding the most is dropped with its connection, so a
 * tenant asking for its large lists many times over and reading none spends its own budget, not
 * the memory every tenant is served from. Answers of 64 KiB or less are not counted (respond.ts).
 */
export const OWNER_ANSWER_BYTES = 64 * 1024 * 1024;

interface HeldAnswer {
  bytes: number;
  drop: () => void;
}

/** Large answers still being sent, by the identity they answer (identityKey). */
export class AnswerLedger {
  private readonly owners = new OwnerSets<HeldAnswer>();

  constructor(private readonly ownerBytes = OWNER_ANSWER_BYTES) {}

  /** Counts an answer of `bytes` for `owner` until the returned release is called; may drop answers. */
  hold(owner: string, bytes: number, drop: () => void): () => void {
    const release = this.owners.add(owner, { bytes, drop });
    while (this.heldBy(owner) > this.ownerBytes) {
      const largest = this.owners.largest(owner, (answer) => answer.bytes)!;
      this.owners.delete(owner, largest);
      largest.drop();
    }
    return release;
  }

  heldBy(owner: string): number {
    return this.owners.sum(owner, (answer) => answer.bytes);
  }
}

const claims = new WeakMap<ServerResponse, { ledger: AnswerLedger; owner: string }>();

/** Marks `res` as answering `owner`, so its answer counts against that identity (respond.ts asks). */
export function claimAnswer(res: ServerResponse, ledger: AnswerLedger, owner: string): void {
  claims.set(res, { ledger, owner });
}

/** Counts an answer being sent on `res` against whoever it answers; a release that does nothing when unclaimed. */
export function holdAnswer(res: ServerResponse, bytes: number, drop: () => void): () => void {
  const claim = claims.get(res);
  return claim ? claim.ledger.hold(claim.owner, bytes, drop) : () => undefined;
}
