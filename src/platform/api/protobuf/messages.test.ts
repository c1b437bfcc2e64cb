import { describe, expect, it } from 'vitest';
import { configMapMessage, decodeEnvelope, namespaceMessage, secretMessage } from './messages.js';
import { ProtobufError } from './wire.js';

// Request bodies captured from kubectl 1.32 (`kubectl create cm|ns|secret`).
const CONFIG_MAP =
  '6b3873000a0f0a0276311209436f6e6669674d6170122d0a1b0a0464656d6f12001a0764656661756c7422002a0032003800420012060a016112016212060a01631201641a002200';
const NAMESPACE =
  '6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d7812001a0022002a0032003800420012001a020a001a002200';
const SECRET =
  '6b3873000a0c0a027631120653656372657412320a190a02733112001a0764656661756c7422002a0032003800420012130a0870617373776f7264120768756e746572321a001a002200';

describe('protobuf request bodies', () => {
  it('decodes a ConfigMap', () => {
    expect(decodeEnvelope(Buffer.from(CONFIG_MAP, 'hex'), configMapMessage)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'demo', namespace: 'default' },
      data: { a: 'b', c: 'd' },
    });
  });

  it('decodes a Namespace', () => {
    expect(decodeEnvelope(Buffer.from(NAMESPACE, 'hex'), namespaceMessage)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-x' },
      spec: {},
      status: {},
    });
  });

  it('decodes a Secret with base64 data', () => {
    expect(decodeEnvelope(Buffer.from(SECRET, 'hex'), secretMessage)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'default' },
      data: { password: Buffer.from('hunter2').toString('base64') },
    });
  });

  it('keeps a map key named __proto__ as data', () => {
    // CONFIG_MAP with its first data entry's key changed from "a" to "__proto__".
    const body =
      '6b3873000a0f0a0276311209436f6e6669674d617012350a1b0a0464656d6f12001a0764656661756c7422002a00320038004200' +
      '120e0a095f5f70726f746f5f5f12016212060a01631201641a002200';
    const decoded = decodeEnvelope(Buffer.from(body, 'hex'), configMapMessage);
    expect(JSON.stringify(decoded.data)).toBe('{"__proto__":"b","c":"d"}');
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
  });

  it('rejects bodies without the envelope or truncated', () => {
    expect(() => decodeEnvelope(Buffer.from('{}'), configMapMessage)).toThrow(ProtobufError);
    expect(() => decodeEnvelope(Buffer.from(CONFIG_MAP.slice(0, 60), 'hex'), configMapMessage)).toThrow(
      ProtobufError,
    );
  });
});
