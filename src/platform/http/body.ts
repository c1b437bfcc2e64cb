import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './errors.js';
import { contentTypeOf } from './negotiate.js';
import { scanJsonText } from './json-text-scan.js';
import { bodyTooDeep, MAX_NESTING_DEPTH, refuseDeepBody } from './nesting.js';

// The apiserver's default request body limit.
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A decoded body, with the keys JSON.parse silently collapsed (for fieldValidation). */
export interface DecodedBody {
  value: unknown;
  /** Paths such as `data.a` of keys that appear twice in one object; the last one won. */
  duplicateFields: string[];
}

/** JSON text to a value no deeper than the nesting limit, and the duplicate keys JSON.parse collapsed. */
export function parseJsonBody(text: string): DecodedBody {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
  const scan = scanJsonText(text, MAX_NESTING_DEPTH);
  if (scan.deeperThanLimit) throw bodyTooDeep();
  return { value, duplicateFields: scan.duplicateFields };
}

/** parseJsonBody for bodies that are not objects of a kind (JSON patches, delete options). */
export function parseJson(text: string): unknown {
  return parseJsonBody(text).value;
}

export function parseYamlBody(text: string): unknown {
  let value: unknown;
  try {
    value = parseYaml(text, { strict: true }) as unknown;
  } catch (err) {
    // The YAML parser recurses and runs out of stack some hundreds of levels down, always beyond the limit.
    if ((err as Error).message.includes('Maximum call stack size exceeded')) throw bodyTooDeep();
    throw badRequest(`the body of the request could not be decoded as YAML: ${(err as Error).message}`);
  }
  refuseDeepBody(value);
  return value;
}

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * Decodes a create/update body: JSON (the default), YAML, or, for kinds that describe their
 * protobuf message, the protobuf kubectl's typed clients send. YAML refuses duplicate keys itself and
 * protobuf has none, so only JSON reports them.
 */
export function decodeObjectBody(
  contentType: string | undefined,
  body: Buffer,
  protobuf?: (body: Buffer) => unknown,
): DecodedBody {
  const type = contentTypeOf(contentType);
  if (body.length === 0) throw badRequest('the request body is empty');
  if (type === '' || type === 'application/json' || type === '*/*')
    return parseJsonBody(body.toString('utf8'));
  if (type === 'application/yaml' || type === 'application/x-yaml')
    return { value: parseYamlBody(body.toString('utf8')), duplicateFields: [] };
  if (type === PROTOBUF && protobuf) {
    const value = protobuf(body);
    refuseDeepBody(value);
    return { value, duplicateFields: [] };
  }
  throw unsupportedMediaType(type);
}
