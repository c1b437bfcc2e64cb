import { nowTimestamp } from '../object.js';
import { setOwn } from '../own-keys.js';
import { ProtobufError, readFields, type WireField } from './wire.js';

// Declarative descriptions of the k8s.io/api protobuf messages we accept, and a decoder that turns
// them into the same JSON the JSON path would have received.

export type FieldType =
  | { kind: 'string' }
  | { kind: 'bytes' }
  | { kind: 'int' }
  | { kind: 'bool' }
  | { kind: 'time' }
  | { kind: 'message'; message: MessageDescriptor }
  | { kind: 'intOrString' }
  | { kind: 'map'; value: 'string' | 'bytes' | 'quantity' };

export interface FieldDescriptor {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /**
   * A Go pointer field (`*int32 replicas`): present on the wire only when the sender set it, so a
   * zero is a value (`--replicas=0`), not the unset default proto2 writes for plain fields.
   */
  pointer?: boolean;
}

export type MessageDescriptor = Record<number, FieldDescriptor>;

export const string = { kind: 'string' } as const;
export const bytes = { kind: 'bytes' } as const;
export const int = { kind: 'int' } as const;
export const bool = { kind: 'bool' } as const;
export const time = { kind: 'time' } as const;
/** k8s.io/apimachinery/pkg/util/intstr IntOrString: JSON holds the number or the string. */
export const intOrString = { kind: 'intOrString' } as const;
export const message = (descriptor: MessageDescriptor) => ({ kind: 'message', message: descriptor }) as const;
export const map = (value: 'string' | 'bytes' | 'quantity') => ({ kind: 'map', value }) as const;

/**
 * Descriptors that list only some of their message's fields (those kubectl's typed clients send). A
 * body with any other field is refused rather than stored without it.
 */
const partialMessages = new WeakSet<MessageDescriptor>();

export function partialMessage(descriptor: MessageDescriptor): MessageDescriptor {
  partialMessages.add(descriptor);
  return descriptor;
}

const ownerReference: MessageDescriptor = {
  1: { name: 'kind', type: string },
  3: { name: 'name', type: string },
  4: { name: 'uid', type: string },
  5: { name: 'apiVersion', type: string },
  6: { name: 'controller', type: bool },
  7: { name: 'blockOwnerDeletion', type: bool },
};

/** k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta (managedFields are not accepted this way). */
export const objectMeta: MessageDescriptor = {
  1: { name: 'name', type: string },
  2: { name: 'generateName', type: string },
  3: { name: 'namespace', type: string },
  5: { name: 'uid', type: string },
  6: { name: 'resourceVersion', type: string },
  7: { name: 'generation', type: int },
  8: { name: 'creationTimestamp', type: time },
  11: { name: 'labels', type: map('string') },
  12: { name: 'annotations', type: map('string') },
  13: { name: 'ownerReferences', type: message(ownerReference), repeated: true },
  14: { name: 'finalizers', type: string, repeated: true },
};

export const configMapMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: { name: 'data', type: map('string') },
  3: { name: 'binaryData', type: map('bytes') },
  4: { name: 'immutable', type: bool },
};

export const secretMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: { name: 'data', type: map('bytes') },
  3: { name: 'type', type: string },
  4: { name: 'stringData', type: map('string') },
  5: { name: 'immutable', type: bool },
};

export const namespaceMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: { name: 'spec', type: message({ 1: { name: 'finalizers', type: string, repeated: true } }) },
  3: { name: 'status', type: message({ 1: { name: 'phase', type: string } }) },
};

const policyRule: MessageDescriptor = {
  1: { name: 'verbs', type: string, repeated: true },
  2: { name: 'apiGroups', type: string, repeated: true },
  3: { name: 'resources', type: string, repeated: true },
  4: { name: 'resourceNames', type: string, repeated: true },
  5: { name: 'nonResourceURLs', type: string, repeated: true },
};

export const labelSelector: MessageDescriptor = {
  1: { name: 'matchLabels', type: map('string') },
  2: {
    name: 'matchExpressions',
    type: message({
      1: { name: 'key', type: string },
      2: { name: 'operator', type: string },
      3: { name: 'values', type: string, repeated: true },
    }),
    repeated: true,
  },
};

/** k8s.io/api/rbac/v1 Role. */
export const roleMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: { name: 'rules', type: message(policyRule), repeated: true },
};

export const clusterRoleMessage: MessageDescriptor = {
  ...roleMessage,
  3: {
    name: 'aggregationRule',
    type: message({ 1: { name: 'clusterRoleSelectors', type: message(labelSelector), repeated: true } }),
  },
};

/** RoleBinding and ClusterRoleBinding share one layout. */
export const roleBindingMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'subjects',
    type: message({
      1: { name: 'kind', type: string },
      2: { name: 'apiGroup', type: string },
      3: { name: 'name', type: string },
      4: { name: 'namespace', type: string },
    }),
    repeated: true,
  },
  3: {
    name: 'roleRef',
    type: message({
      1: { name: 'apiGroup', type: string },
      2: { name: 'kind', type: string },
      3: { name: 'name', type: string },
    }),
  },
};

/** authentication.k8s.io/v1 SelfSubjectReview: only metadata is sent; the server fills in status. */
export const selfSubjectReviewMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
};

/** authentication.k8s.io/v1 TokenRequest (`kubectl create token`): the spec; status is the server's. */
export const tokenRequestMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'spec',
    type: message({
      1: { name: 'audiences', type: string, repeated: true },
      3: {
        name: 'boundObjectRef',
        type: message({
          1: { name: 'kind', type: string },
          2: { name: 'apiVersion', type: string },
          3: { name: 'name', type: string },
          4: { name: 'uid', type: string },
        }),
      },
      4: { name: 'expirationSeconds', type: int, pointer: true },
    }),
  },
  3: { name: 'status', type: message({}) },
};

/** authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`). */
export const selfSubjectAccessReviewMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'spec',
    type: message({
      1: {
        name: 'resourceAttributes',
        type: message({
          1: { name: 'namespace', type: string },
          2: { name: 'verb', type: string },
          3: { name: 'group', type: string },
          4: { name: 'version', type: string },
          5: { name: 'resource', type: string },
          6: { name: 'subresource', type: string },
          7: { name: 'name', type: string },
        }),
      },
      2: {
        name: 'nonResourceAttributes',
        type: message({ 1: { name: 'path', type: string }, 2: { name: 'verb', type: string } }),
      },
    }),
  },
};

function lengthDelimited(field: WireField): Buffer {
  if (field.data.wireType !== 2)
    throw new ProtobufError(`field ${field.field}: expected a length-delimited value`);
  return field.data.value;
}

function varint(field: WireField): bigint {
  if (field.data.wireType !== 0) throw new ProtobufError(`field ${field.field}: expected a varint`);
  return field.data.value;
}

function decodeValue(type: FieldType, field: WireField): unknown {
  switch (type.kind) {
    case 'string':
      return lengthDelimited(field).toString('utf8');
    case 'bytes':
      return lengthDelimited(field).toString('base64');
    case 'int':
      return Number(BigInt.asIntN(64, varint(field)));
    case 'bool':
      return varint(field) !== 0n;
    case 'time': {
      const parts = decodeMessage({ 1: { name: 'seconds', type: int } }, lengthDelimited(field));
      return nowTimestamp(new Date(Number(parts.seconds ?? 0) * 1000));
    }
    case 'message':
      return decodeMessage(type.message, lengthDelimited(field));
    case 'intOrString': {
      const parts = decodeMessage(
        {
          1: { name: 'type', type: int },
          2: { name: 'intVal', type: int },
          3: { name: 'strVal', type: string },
        },
        lengthDelimited(field),
      );
      return parts.type === 1 ? String(parts.strVal ?? '') : Number(parts.intVal ?? 0);
    }
    case 'map': {
      const value: FieldType =
        type.value === 'bytes'
          ? bytes
          : type.value === 'quantity'
            ? message({ 1: { name: 'string', type: string } })
            : string;
      const entry = decodeMessage(
        { 1: { name: 'key', type: string }, 2: { name: 'value', type: value } },
        lengthDelimited(field),
      );
      const decoded =
        type.value === 'quantity' ? (entry.value as { string?: string } | undefined)?.string : entry.value;
      return [String(entry.key ?? ''), decoded ?? ''];
    }
  }
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === EPOCH;
}

const EPOCH = '1970-01-01T00:00:00Z';

export function decodeMessage(descriptor: MessageDescriptor, buf: Buffer): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of readFields(buf)) {
    const spec = descriptor[field.field];
    if (!spec) {
      if (partialMessages.has(descriptor))
        throw new ProtobufError(
          `field ${field.field} is not accepted in protobuf here; send the object as JSON`,
        );
      continue;
    }
    const value = decodeValue(spec.type, field);
    // proto2 writes empty optional fields; JSON would have omitted them (omitempty).
    const alwaysKept =
      spec.type.kind === 'map' || spec.type.kind === 'message' || spec.type.kind === 'intOrString';
    if (!spec.repeated && !alwaysKept && !spec.pointer && isZero(value)) continue;
    if (spec.type.kind === 'map') {
      const [key, entryValue] = value as [string, unknown];
      const target = (result[spec.name] ??= {}) as Record<string, unknown>;
      setOwn(target, key, entryValue);
    } else if (spec.repeated) {
      ((result[spec.name] ??= []) as unknown[]).push(value);
    } else {
      result[spec.name] = value;
    }
  }
  return result;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/**
 * Decodes the apiserver protobuf envelope: the `k8s\0` magic, then runtime.Unknown carrying
 * TypeMeta and the object's bytes.
 */
export function decodeEnvelope(body: Buffer, descriptor: MessageDescriptor): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtobufError('missing the k8s protobuf magic prefix');
  }
  const typeMeta: MessageDescriptor = {
    1: { name: 'apiVersion', type: string },
    2: { name: 'kind', type: string },
  };
  const unknown = decodeMessage(
    {
      1: { name: 'typeMeta', type: message(typeMeta) },
      2: { name: 'raw', type: bytes },
      3: { name: 'contentEncoding', type: string },
    },
    body.subarray(MAGIC.length),
  );
  if (unknown.contentEncoding)
    throw new ProtobufError(`unsupported content encoding ${String(unknown.contentEncoding)}`);
  const object = decodeMessage(descriptor, Buffer.from(String(unknown.raw ?? ''), 'base64'));
  return { ...(unknown.typeMeta as Record<string, unknown> | undefined), ...object };
}
