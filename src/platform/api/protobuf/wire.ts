// Protocol Buffers wire format, read side only: what is needed to accept the protobuf request
// bodies kubectl's typed clients send (`kubectl create namespace|configmap|secret`).

export class ProtobufError extends Error {}

export type WireValue =
  { wireType: 0; value: bigint } | { wireType: 2; value: Buffer } | { wireType: 1 | 5; value: Buffer };

export interface WireField {
  field: number;
  data: WireValue;
}

function readVarint(buf: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = offset; i < buf.length; i++) {
    const byte = buf[i] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) throw new ProtobufError('varint too long');
  }
  throw new ProtobufError('truncated varint');
}

export function readFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [key, afterKey] = readVarint(buf, offset);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    offset = afterKey;
    switch (wireType) {
      case 0: {
        const [value, next] = readVarint(buf, offset);
        fields.push({ field, data: { wireType: 0, value } });
        offset = next;
        break;
      }
      case 2: {
        const [length, next] = readVarint(buf, offset);
        const end = next + Number(length);
        if (end > buf.length) throw new ProtobufError('truncated length-delimited field');
        fields.push({ field, data: { wireType: 2, value: buf.subarray(next, end) } });
        offset = end;
        break;
      }
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4;
        if (offset + size > buf.length) throw new ProtobufError('truncated fixed field');
        fields.push({ field, data: { wireType, value: buf.subarray(offset, offset + size) } });
        offset += size;
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}
