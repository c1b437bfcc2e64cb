import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RankedQueue, compareRanked } from './ranking.js';

describe('RankedQueue', () => {
  it('hands out clusters best first: higher score, then the earlier name', () => {
    const items = fc.array(
      fc.record({
        name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        score: fc.integer({ min: -300, max: 300 }),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(items, (list) => {
        const queue = new RankedQueue<{ name: string; score: number }>();
        for (const item of list) queue.push(item);
        const out: Array<{ name: string; score: number }> = [];
        for (let item = queue.pop(); item !== undefined; item = queue.pop()) out.push(item);
        expect(out).toEqual([...list].sort(compareRanked));
        expect(queue.size).toBe(0);
      }),
    );
  });
});
