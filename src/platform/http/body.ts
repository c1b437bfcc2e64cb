import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from './errors.js';
import { contentTypeOf } from './negotiate.js';

// The apiserver's default request body limit.
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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

/** Decodes a create/update body: JSON (the default) or YAML. */
export function decodeObjectBody(contentType: string | undefined, text: string): unknown {
  const type = contentTypeOf(contentType);
  if (text.trim() === '') throw badRequest('the request body is empty');
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(text);
  if (type === 'application/yaml' || type === 'application/x-yaml') return parseYamlBody(text);
  throw unsupportedMediaType(type);
}
