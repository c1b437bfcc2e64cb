import type { UserInfo } from '../auth/user.js';

/** One open watch, as the registry sees it. */
export interface OpenWatch {
  /** The key its owner's limits are kept under (see watchOwner). */
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
 * Whose limits a watch counts against. A ServiceAccount's name (`system:serviceaccount:ns:name`) is
 * the same in every workspace, so it is keyed by the workspace it belongs to as well: two tenants'
 * `default` accounts never share (or exhaust) one budget.
 */
export function watchOwner(user: UserInfo): string {
  if (user.boundTo) return `serviceaccount:${user.boundTo.cluster}:${user.name}`;
  return `user:${user.name}`;
}

/**
 * Open watch streams: so shutdown can end them instead of waiting for clients to hang up, and so
 * one owner's watches, together, stay within what an owner may hold of the server (watch-stream.ts).
 */
export class WatchRegistry {
  private readonly open = new Set<OpenWatch>();
  private readonly byOwner = new Map<string, Set<OpenWatch>>();
  /**
   * An owner's held bytes, summed once per turn of the event loop: one change fans out to all of an
   * owner's watches in one turn, and summing them for each would cost the square of their number.
   */
  private readonly heldThisTurn = new Map<string, number>();

  add(watch: OpenWatch): () => void {
    this.open.add(watch);
    let mine = this.byOwner.get(watch.owner);
    if (!mine) this.byOwner.set(watch.owner, (mine = new Set()));
    mine.add(watch);
    return () => {
      this.open.delete(watch);
      mine.delete(watch);
      if (mine.size === 0 && this.byOwner.get(watch.owner) === mine) this.byOwner.delete(watch.owner);
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
    return this.byOwner.get(owner)?.size ?? 0;
  }

  /** How many of `owner`'s watches are still sending what they started with. */
  replayingBy(owner: string): number {
    let count = 0;
    for (const watch of this.byOwner.get(owner) ?? []) if (watch.replaying()) count++;
    return count;
  }

  /** The bytes the server holds unsent across all of `owner`'s watches. */
  heldBy(owner: string): number {
    let held = this.heldThisTurn.get(owner);
    if (held === undefined) {
      held = 0;
      for (const watch of this.byOwner.get(owner) ?? []) held += watch.heldBytes();
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
    let largest: OpenWatch | undefined;
    for (const watch of this.byOwner.get(owner) ?? [])
      if (!largest || watch.heldBytes() > largest.heldBytes()) largest = watch;
    largest?.drop();
  }
}
