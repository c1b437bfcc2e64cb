import { describe, expect, it } from 'vitest';
import { EventLog, type ChangeEvent } from '../storage/event-log.js';
import type { KubeObject } from './object.js';
import type { Projection } from './projected-kind.js';
import { projectionEvents, watchProjection } from './projection.js';
import { configMaps } from './resources/configmaps.js';
import { MATCH_ALL, parseObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent } from './watch-event.js';

const obj = (name: string, rv: number, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, resourceVersion: String(rv), labels },
});
const byName = (...objects: KubeObject[]) => new Map(objects.map((o) => [o.metadata.name ?? '', o]));
const summary = (events: WatchEvent[]) =>
  events.map(
    (e) =>
      `${e.type} ${String((e.object as KubeObject).metadata.name)}@${String((e.object as KubeObject).metadata.resourceVersion)}`,
  );

describe('projectionEvents', () => {
  it('turns a change of the view into ADDED, MODIFIED and DELETED at the change that caused it', () => {
    const before = byName(obj('a', 1), obj('b', 2), obj('c', 3));
    const after = byName(obj('a', 1), obj('b', 7), obj('d', 4));
    expect(summary(projectionEvents(configMaps, MATCH_ALL, before, after, 9))).toEqual([
      'MODIFIED b@9',
      'DELETED c@9',
      'ADDED d@9',
    ]);
  });

  it('lets a label selector see objects enter and leave the selection', () => {
    const filter = parseObjectFilter(configMaps, 'tier=gold', null);
    const before = byName(obj('a', 1, { tier: 'gold' }), obj('b', 2));
    const after = byName(obj('a', 5), obj('b', 6, { tier: 'gold' }));
    expect(summary(projectionEvents(configMaps, filter, before, after, 6))).toEqual([
      'DELETED a@6',
      'ADDED b@6',
    ]);
  });
});

describe('watchProjection', () => {
  function fixture() {
    const log = new EventLog(10);
    let items = [obj('a', 5), obj('b', 11)];
    const projection: Projection = {
      list: () => items,
      affectedBy: (event) => event.key.resource === 'watched',
      readOnlyMessage: 'read-only',
    };
    const seen: WatchEvent[] = [];
    const publish = (rv: number, resource: string, next: KubeObject[]) => {
      items = next;
      const event: ChangeEvent = {
        type: 'MODIFIED',
        rv,
        key: { cluster: 'c', resource, namespace: '', name: 'x' },
        object: obj('x', rv),
      };
      log.publish(event);
    };
    return { log, projection, seen, publish };
  }

  it('replays the view, then follows changes that touch it', () => {
    const f = fixture();
    const stop = watchProjection(configMaps, f.projection, f.log, MATCH_ALL, undefined, (e) =>
      f.seen.push(e),
    );
    f.publish(12, 'unrelated', [obj('a', 5)]);
    f.publish(13, 'watched', [obj('a', 5), obj('c', 13)]);
    stop?.();
    f.publish(14, 'watched', []);
    expect(summary(f.seen)).toEqual(['ADDED a@5', 'ADDED b@11', 'DELETED b@13', 'ADDED c@13']);
  });

  it('resumes from a version with what changed since, and expires versions the log no longer holds', () => {
    const f = fixture();
    f.publish(11, 'unrelated', [obj('a', 5), obj('b', 11)]);
    watchProjection(configMaps, f.projection, f.log, MATCH_ALL, '10', (e) => f.seen.push(e));
    expect(summary(f.seen)).toEqual(['MODIFIED b@11']);
    const expired: WatchEvent[] = [];
    expect(
      watchProjection(configMaps, f.projection, f.log, MATCH_ALL, '3', (e) => expired.push(e)),
    ).toBeUndefined();
    expect(expired).toMatchObject([{ type: 'ERROR', object: { code: 410, reason: 'Expired' } }]);
  });
});
