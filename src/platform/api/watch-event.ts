import type { KubeObject } from './object.js';

// One event of a watch stream, as every watch source (stored kinds, projections, export views)
// emits it and the stream writer encodes it. Kept apart so those sources need not import each other.

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Record<string, unknown>;
}
