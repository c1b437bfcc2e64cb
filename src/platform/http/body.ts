import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './errors.js';
import { contentTypeOf } from './negotiate.js';

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

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

export function parseYamlBody(text: string): unknown {
  try {
    return parseYaml(text, { strict: true }) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as YAML: ${(err as Error).message}`);
  }
}

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * Decodes a create/update body: JSON (the default), YAML, or, for kinds that describe their
 * protobuf message, the protobuf kubectl's typed clients send.
 */
export function decodeObjectBody(
  contentType: string | undefined,
  body: Buffer,
  protobuf?: (body: Buffer) => unknown,
): unknown {
  const type = contentTypeOf(contentType);
  if (body.length === 0) throw badRequest('the request body is empty');
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(body.toString('utf8'));
  if (type === 'application/yaml' || type === 'application/x-yaml')
    return parseYamlBody(body.toString('utf8'));
  if (type === PROTOBUF && protobuf) return protobuf(body);
  throw unsupportedMediaType(type);
}
