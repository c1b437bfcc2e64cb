import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.js';
import { patchMetaFromDefinitions } from './patch-meta.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';

describe('merge patch (RFC 7386)', () => {
  // The examples from RFC 7386 appendix A.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('does not modify the target', () => {
    const target = { a: { b: 1 } };
    applyMergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { foo: 'bar', list: [1, 2], nested: { 'a/b': 1, 'm~n': 2 } };

  it('adds, removes, replaces, moves, copies and tests', () => {
    expect(
      applyJsonPatch(doc, [
        { op: 'add', path: '/baz', value: 'qux' },
        { op: 'add', path: '/list/1', value: 9 },
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/nested/a~1b' },
        { op: 'replace', path: '/nested/m~0n', value: 5 },
        { op: 'copy', from: '/foo', path: '/copied' },
        { op: 'move', from: '/baz', path: '/moved' },
        { op: 'test', path: '/moved', value: 'qux' },
      ]),
    ).toEqual({ foo: 'bar', list: [1, 9, 2, 3], nested: { 'm~n': 5 }, copied: 'bar', moved: 'qux' });
    expect(doc.list).toEqual([1, 2]);
  });

  it.each([
    [[{ op: 'test', path: '/foo', value: 'nope' }], /testing value \/foo failed/],
    [[{ op: 'remove', path: '/missing' }], /nonexistent key/],
    [[{ op: 'replace', path: '/missing', value: 1 }], /does not exist/],
    [[{ op: 'add', path: '/list/5', value: 1 }], /out of bounds/],
    [[{ op: 'add', path: '/no/such', value: 1 }], /does not exist/],
    [[{ op: 'frobnicate', path: '/foo' }], /unexpected kind of operation/],
    [{ op: 'add' }, /must be an array/],
  ])('rejects %j', (patch, message) => {
    expect(() => applyJsonPatch(doc, patch)).toThrow(JsonPatchError);
    expect(() => applyJsonPatch(doc, patch)).toThrow(message);
  });
});

describe('keys named like prototype members are plain data', () => {
  // JSON.parse makes `__proto__` an own key, as a client's body does.
  const configMap = () =>
    JSON.parse('{"data":{"__proto__":"p","constructor":"c","prototype":"t"}}') as object;
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype);
  const dataOf = (value: unknown) => Object.entries((value as { data: object }).data);

  it('a JSON patch through /__proto__ finds no field there and changes no prototype', () => {
    const patch = [{ op: 'add', path: '/__proto__/namespace', value: 'x' }];
    expect(() => applyJsonPatch({ metadata: {} }, patch)).toThrow(
      /path \/__proto__\/namespace does not exist/,
    );
    expect(() => applyJsonPatch({}, [{ op: 'replace', path: '/constructor/name', value: 'x' }])).toThrow(
      JsonPatchError,
    );
    expect(() => applyJsonPatch({}, [{ op: 'remove', path: '/toString' }])).toThrow(/nonexistent key/);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeNames);
    expect(({} as Record<string, unknown>).namespace).toBeUndefined();
  });

  it('a JSON patch adds, reads and removes __proto__ and constructor keys as fields', () => {
    const patched = applyJsonPatch(configMap(), [
      { op: 'replace', path: '/data/__proto__', value: 'p2' },
      { op: 'add', path: '/data/constructor', value: { nested: true } },
      { op: 'copy', from: '/data/prototype', path: '/data/x' },
      { op: 'test', path: '/data/__proto__', value: 'p2' },
      { op: 'remove', path: '/data/prototype' },
    ]);
    expect(dataOf(patched).sort()).toEqual([
      ['__proto__', 'p2'],
      ['constructor', { nested: true }],
      ['x', 't'],
    ]);
    expect(Object.getPrototypeOf((patched as { data: object }).data)).toBe(Object.prototype);
  });

  it.each([
    ['merge', applyMergePatch],
    [
      'strategic merge',
      (target: unknown, patch: unknown) =>
        applyStrategicMergePatch(target, patch, patchMetaFromDefinitions('io.k8s.api.core.v1.ConfigMap')!),
    ],
  ])('a %s patch sets, merges and deletes them as fields', (_name, apply) => {
    const patch = JSON.parse(
      '{"data":{"__proto__":{"namespace":"x"},"constructor":null,"prototype":"t2","toString":"s"}}',
    ) as unknown;
    const patched = apply(configMap(), patch);
    expect(dataOf(patched)).toEqual([
      ['__proto__', { namespace: 'x' }],
      ['prototype', 't2'],
      ['toString', 's'],
    ]);
    expect(Object.getPrototypeOf((patched as { data: object }).data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeNames);
  });
});
