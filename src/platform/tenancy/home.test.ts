import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { homePath, homeSegment } from './home.js';
import { isValidSegment } from './paths.js';

const hash6 = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 6);

describe('homeSegment', () => {
  it.each(['alice', 'bob', 'ci-bot-7', '0day', 'a'.repeat(63)])(
    'keeps a path-safe name %s as it is',
    (name) => expect(homeSegment(name)).toBe(name),
  );

  it.each([
    ['Alice', `alice-${hash6('Alice')}`],
    ['alice@example.com', `alice-example-com-${hash6('alice@example.com')}`],
    ['system:admin', `system-admin-${hash6('system:admin')}`],
    ['-edge-', `edge-${hash6('-edge-')}`],
    ['été', `t-${hash6('été')}`],
    ['@@@', `user-${hash6('@@@')}`],
    ['a'.repeat(64), `${'a'.repeat(56)}-${hash6('a'.repeat(64))}`],
  ])('makes %j path-safe and unique: %s', (name, segment) => {
    expect(homeSegment(name)).toBe(segment);
    expect(isValidSegment(segment)).toBe(true);
  });

  it('never gives two spellings the same home', () => {
    expect(homeSegment('Alice')).not.toBe(homeSegment('alice'));
    expect(homeSegment('alice.x')).not.toBe(homeSegment('alice-x'));
  });

  it('puts homes under root:users', () => {
    expect(homePath('alice')).toBe('root:users:alice');
  });
});
