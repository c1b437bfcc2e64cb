import { describe, expect, it } from 'vitest';
import { HistoryCompactor } from './history-compactor.js';

function fakeHistory() {
  const compacted: number[] = [];
  const history = {
    resourceVersion: 10,
    compact: (revision: number) => {
      compacted.push(revision);
      return revision === 13 ? Promise.reject(new Error('etcd unavailable')) : Promise.resolve();
    },
  };
  return { history, compacted };
}

describe('HistoryCompactor', () => {
  it('compacts each interval to the revision seen one interval before, never to the current one', async () => {
    const { history, compacted } = fakeHistory();
    const compactor = new HistoryCompactor(history, 60_000, () => undefined);
    compactor.start();
    history.resourceVersion = 25;
    await compactor.tick();
    history.resourceVersion = 40;
    await compactor.tick();
    compactor.stop();
    expect(compacted).toEqual([10, 25]);
  });

  it('reports a failed compaction and carries on at the next interval', async () => {
    const { history, compacted } = fakeHistory();
    const errors: unknown[] = [];
    history.resourceVersion = 13;
    const compactor = new HistoryCompactor(history, 60_000, (err) => errors.push(err));
    compactor.start();
    history.resourceVersion = 20;
    await compactor.tick();
    history.resourceVersion = 30;
    await compactor.tick();
    compactor.stop();
    expect(compacted).toEqual([13, 20]);
    expect(errors.map((err) => (err as Error).message)).toEqual(['etcd unavailable']);
  });
});
