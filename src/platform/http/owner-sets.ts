/**
 * Items grouped by the identity they count against (identityKey), so a per-identity limit can sum
 * them and pick the one to drop; an identity with none left is forgotten.
 */
export class OwnerSets<T> {
  private readonly byOwner = new Map<string, Set<T>>();

  /** Adds `item` under `owner`; returns how to remove it (harmless to call twice). */
  add(owner: string, item: T): () => void {
    let mine = this.byOwner.get(owner);
    if (!mine) this.byOwner.set(owner, (mine = new Set()));
    mine.add(item);
    return () => this.delete(owner, item);
  }

  delete(owner: string, item: T): void {
    const mine = this.byOwner.get(owner);
    if (!mine?.delete(item)) return;
    if (mine.size === 0) this.byOwner.delete(owner);
  }

  of(owner: string): ReadonlySet<T> {
    return this.byOwner.get(owner) ?? EMPTY;
  }

  /** The owner's item with the largest `size`, if any. */
  largest(owner: string, size: (item: T) => number): T | undefined {
    let largest: T | undefined;
    for (const item of this.of(owner))
      if (largest === undefined || size(item) > size(largest)) largest = item;
    return largest;
  }

  /** `size` summed over the owner's items. */
  sum(owner: string, size: (item: T) => number): number {
    let total = 0;
    for (const item of this.of(owner)) total += size(item);
    return total;
  }
}

const EMPTY: ReadonlySet<never> = new Set();
