import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManifestWork } from '../client/ocm-work.js';
import { RestClient } from '../client/rest-client.js';
import { runWorkInformer } from './work-informer.js';

// The informer against a scripted hub on loopback: which lists and watches it asks for, from which
// resourceVersion, and what its handlers hear.

const work = (name: string, resourceVersion: string): ManifestWork => ({
  metadata: { name, namespace: 'c1', resourceVersion, generation: 1 },
});
const line = (event: object) => `${JSON.stringify(event)}\n`;

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A hub that answers the n-th list and the n-th watch with the given scripts, and records each request's query. */
async function scriptedHub(
  lists: object[],
  watches: (((res: ServerResponse) => void) | 'gone')[],
): Promise<{ client: RestClient; requests: string[]; watchesOpened: () => number }> {
  const requests: string[] = [];
  let listed = 0;
  let watched = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://hub');
    const isWatch = url.searchParams.get('watch') === 'true';
    requests.push(isWatch ? `watch from ${url.searchParams.get('resourceVersion')}` : 'list');
    res.setHeader('Content-Type', 'application/json');
    if (!isWatch) return res.end(JSON.stringify(lists[listed++]));
    const script = watches[watched++];
    if (script === 'gone') {
      res.writeHead(410);
      return res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }));
    }
    res.writeHead(200);
    if (script) script(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new RestClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  close = () => {
    client.close();
    server.closeAllConnections();
    server.close();
  };
  return { client, requests, watchesOpened: () => watched };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('runWorkInformer', () => {
  it('watches from the list, resumes from the last version (bookmarks too), and lists again on 410', async () => {
    const hub = await scriptedHub(
      [
        { metadata: { resourceVersion: '5' }, items: [work('web', '4')] },
        { metadata: { resourceVersion: '10' }, items: [] },
      ],
      [
        (res) => {
          res.write(line({ type: 'MODIFIED', object: work('web', '6') }));
          res.end(line({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '8' } } }));
        },
        (res) =>
          res.end(
            line({
              type: 'ERROR',
              object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' },
            }),
          ),
        () => undefined,
      ],
    );
    const heard: string[] = [];
    const logged: string[] = [];
    const stop = new AbortController();
    const running = runWorkInformer(
      {
        hub: hub.client,
        namespace: 'c1',
        resyncMs: 600_000,
        signal: stop.signal,
        log: (l) => logged.push(l),
      },
      {
        listed: (works, resync) => heard.push(`listed ${works.map((w) => w.metadata.name).join()} ${resync}`),
        changed: (w) => heard.push(`changed ${w.metadata.name}@${w.metadata.resourceVersion}`),
        deleted: (w) => heard.push(`deleted ${w.metadata.name}`),
      },
    );
    await until(() => hub.watchesOpened() === 3);
    stop.abort();
    await running;
    expect(hub.requests).toEqual(['list', 'watch from 5', 'watch from 8', 'list', 'watch from 10']);
    expect(heard).toEqual(['listed web false', 'changed web@6', 'listed  false']);
    expect(logged.join('\n')).toMatch(/the hub ended the watch of c1: 410 too old/);
  });

  it('lists again at once, saying nothing, when the hub answers the watch request itself with 410', async () => {
    const list = { metadata: { resourceVersion: '5' }, items: [] };
    const hub = await scriptedHub([list, list], ['gone', () => undefined]);
    const logged: string[] = [];
    const stop = new AbortController();
    const running = runWorkInformer(
      {
        hub: hub.client,
        namespace: 'c1',
        resyncMs: 600_000,
        signal: stop.signal,
        log: (l) => logged.push(l),
        backoff: { firstMs: 60_000, maxMs: 60_000 },
      },
      { listed: () => undefined, changed: () => undefined, deleted: () => undefined },
    );
    await until(() => hub.watchesOpened() === 2);
    stop.abort();
    await running;
    expect(hub.requests).toEqual(['list', 'watch from 5', 'list', 'watch from 5']);
    expect(logged).toEqual([]);
  });

  it('lists again, marked as a resync, when the resync period comes round', async () => {
    const list = { metadata: { resourceVersion: '5' }, items: [work('web', '4')] };
    const hub = await scriptedHub([list, list], [() => undefined, () => undefined]);
    const heard: string[] = [];
    const stop = new AbortController();
    const running = runWorkInformer(
      { hub: hub.client, namespace: 'c1', resyncMs: 200, signal: stop.signal, log: () => undefined },
      {
        listed: (works, resync) => heard.push(`listed ${works.length} ${resync}`),
        changed: () => undefined,
        deleted: () => undefined,
      },
    );
    await until(() => hub.watchesOpened() === 2);
    stop.abort();
    await running;
    expect(heard).toEqual(['listed 1 false', 'listed 1 true']);
  });
});
