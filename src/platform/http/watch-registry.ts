import { OwnerSets } from './owner-sets.js';

/** One open watch, as the registry sees it. */
export interface OpenWatch {
  /** The key its owner's limits are kept under (identityKey). */
  owner: string;
  /** Ends the watch politely (shutdown). */
  close: () => void;
  /** Ends the watch at once, dropping what it holds (over its owner's budget). */
  drop: () => void;
  /** Bytes the server holds for the client: unsent in the response, and serialized events waiting. */
  heldBytes: () => number;
  /** Whether the watch is still sending the state or history it started with. */
  replaying: () => boolean;
}

/**
 * Open watch streams: so shutdown can end them instead of waiting for clients to hang up, and so
 * one owner's watches, together, stay within what an owner may hold of the server (watch-stream.ts).
 */
export class WatchRegistry {
  private readonly open = new Set<OpenWatch>();
  private readonly owners = new OwnerSets<OpenWatch>();
  /**
   * An owner's held bytes, summed once per turn of the event loop: one change fans out to all of an
   * owner's watches in one turn, and summing them for each would cost the square of their number.
   */
  private readonly heldThisTurn = new Map<string, number>();

  add(watch: OpenWatch): () => void {
    this.open.add(watch);
    const remove = this.owners.add(watch.owner, watch);
    return () => {
      this.open.delete(watch);
      remove();
      this.heldThisTurn.delete(watch.owner);
    };
  }

  closeAll(): void {
    for (const watch of [...this.open]) watch.close();
  }

  get size(): number {
    return this.open.size;
  }

  /** How many watches `owner` holds open. */
  openBy(owner: string): number {
    return this.owners.of(owner).size;
  }

  /** How many of `owner`'s watches are still sending what they started with. */
  replayingBy(owner: string): number {
    return this.owners.sum(owner, (watch) => (watch.replaying() ? 1 : 0));
  }

  /** The bytes the server holds unsent across all of `owner`'s watches. */
  heldBy(owner: string): number {
    let held = this.heldThisTurn.get(owner);
    if (held === undefined) {
      held = this.owners.sum(owner, (watch) => watch.heldBytes());
      if (this.heldThisTurn.size === 0) setImmediate(() => this.heldThisTurn.clear());
      this.heldThisTurn.set(owner, held);
    }
    return held;
  }

  /** Counts `bytes` just queued for one of `owner`'s watches into this turn's sum. */
  charge(owner: string, bytes: number): void {
    const held = this.heldThisTurn.get(owner);
    if (held !== undefined) this.heldThisTurn.set(owner, held + bytes);
  }

  /** Drops `owner`'s watch holding the most, to bring the owner back within its budget. */
  dropLargest(owner: string): void {
    this.owners.largest(owner, (watch) => watch.heldBytes())?.drop();
  }
}
