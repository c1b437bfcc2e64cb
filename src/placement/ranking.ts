// The order the scheduler ranks clusters in: higher score first, then the name that sorts first (OCM's order,
// so ties never depend on the order clusters arrive in).

export interface Scored {
  name: string;
  score: number;
}

/** Names in code-unit order, not the locale's, so no result depends on the machine it was decided on. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRanked(a: Scored, b: Scored): number {
  return b.score - a.score || compareNames(a.name, b.name);
}

/**
 * Clusters handed out best first, sorting only as far as they are taken: a placement that wants 5 of 3,000
 * candidates does not pay for ordering all 3,000 (a binary heap).
 */
export class RankedQueue<T extends Scored> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(item: T): void {
    const heap = this.heap;
    let i = heap.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareRanked(heap[parent] as T, item) <= 0) break;
      heap[i] = heap[parent] as T;
      i = parent;
    }
    heap[i] = item;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && compareRanked(heap[right] as T, heap[left] as T) < 0 ? right : left;
      if (compareRanked(last, heap[child] as T) <= 0) break;
      heap[i] = heap[child] as T;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** What is left, in no particular order. */
  remaining(): readonly T[] {
    return this.heap;
  }
}
