import { readFileSync } from 'node:fs';

/** An OpenAPI v2 schema as Kubernetes publishes it (only what readers here look at is typed). */
export interface PublishedSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, PublishedSchema>;
  additionalProperties?: PublishedSchema | boolean;
  items?: PublishedSchema;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  [key: string]: unknown;
}

export type PublishedDefinitions = Readonly<Record<string, PublishedSchema>>;

let loaded: PublishedDefinitions | undefined;

/**
 * Kubernetes' published definitions (kubernetes-openapi.json, 414 KB), read and parsed on first use
 * only: a server that never patches a built-in kind never pays for them.
 */
export function publishedDefinitions(): PublishedDefinitions {
  if (!loaded) {
    const text = readFileSync(new URL('./kubernetes-openapi.json', import.meta.url), 'utf8');
    loaded = (JSON.parse(text) as { definitions: PublishedDefinitions }).definitions;
  }
  return loaded;
}
