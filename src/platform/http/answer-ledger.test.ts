import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loopback } from '../../../test/helpers/loopback.js';
import { AnswerLedger, claimAnswer } from './answer-ledger.js';
import { endAnswer } from './respond.js';

// One identity asking for its large lists many times over and reading none must spend its own share
// of the server's memory, not everyone's.

describe('AnswerLedger', () => {
  it('drops the answer holding the most once an identity is over its share, and only that identity’s', () => {
    const ledger = new AnswerLedger(20);
    const dropped: string[] = [];
    const hold = (owner: string, name: string, bytes: number) =>
      ledger.hold(owner, bytes, () => dropped.push(name));
    hold('mallory', 'a', 8);
    const releaseB = hold('mallory', 'b', 10);
    hold('erin', 'e', 15);
    expect(dropped).toEqual([]);
    hold('mallory', 'c', 5);
    expect(dropped).toEqual(['b']);
    expect(ledger.heldBy('mallory')).toBe(13);
    expect(ledger.heldBy('erin')).toBe(15);
    releaseB();
    expect(ledger.heldBy('mallory')).toBe(13);
  });
});

const net = loopback();

describe('large answers nobody reads', () => {
  it('are dropped past their identity’s share while another identity’s answer goes out whole', async () => {
    const ledger = new AnswerLedger(30_000_000);
    const body = 'z'.repeat(12_000_000);
    const answered: { owner: string; res: ServerResponse }[] = [];
    const port = await net.listen((req, res) => {
      const owner = req.url!.slice(1);
      claimAnswer(res, ledger, owner);
      answered.push({ owner, res });
      res.writeHead(200, { 'Content-Length': String(body.length) });
      endAnswer(res, body);
    });
    const ask = (owner: string, read: boolean) => {
      const socket = net.connect(port);
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.on('error', () => undefined);
      socket.write(`GET /${owner} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      if (!read) socket.pause();
      return () => received;
    };
    const until = async (condition: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    };

    for (let i = 0; i < 5; i++) {
      ask('mallory', false);
      await until(() => answered.length === i + 1);
    }
    // Five of 12 MB would be 60 MB; mallory's share is 30 MB, so at most two are still held.
    expect(ledger.heldBy('mallory')).toBeLessThanOrEqual(30_000_000);
    const mallorys = answered.filter((a) => a.owner === 'mallory');
    expect(mallorys.filter((a) => a.res.destroyed).length).toBeGreaterThanOrEqual(3);

    const erin = ask('erin', true);
    await until(() => erin() > body.length);
    expect(erin()).toBeGreaterThan(body.length);
  });
});
