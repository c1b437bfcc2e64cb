import type { ObjectFormat } from '../http/negotiate.js';
import type { ListMeta } from './list-paging.js';
import type { KubeObject } from './object.js';
import { apiVersionOf, type ResourceDefinition } from './registry.js';
import { partialObjectMetadata, toTable, type IncludeObject } from './table/table.js';

// How an object or a list goes on the wire for each negotiated format.

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
export const PARTIAL_CONTENT_TYPE = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';

export interface Rendered {
  body: unknown;
  contentType: string;
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function renderObject(
  def: ResourceDefinition,
  object: KubeObject,
  format: ObjectFormat,
  include: IncludeObject,
): Rendered {
  if (format === 'Table') {
    return {
      body: toTable(def, [object], { include, resourceVersion: object.metadata.resourceVersion }),
      contentType: TABLE_CONTENT_TYPE,
    };
  }
  if (format === 'PartialObjectMetadata')
    return { body: partialObjectMetadata(object), contentType: PARTIAL_CONTENT_TYPE };
  return { body: object, contentType: 'application/json' };
}

/** A list in the negotiated format; every format carries the same ListMeta (kubectl pages Tables too). */
export function renderList(
  def: ResourceDefinition,
  items: KubeObject[],
  metadata: ListMeta,
  format: ObjectFormat,
  include: IncludeObject,
): Rendered {
  if (format === 'Table')
    return { body: { ...toTable(def, items, { include }), metadata }, contentType: TABLE_CONTENT_TYPE };
  if (format === 'PartialObjectMetadata') {
    return {
      body: {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata,
        items: items.map(partialObjectMetadata),
      },
      contentType: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    };
  }
  return {
    body: { kind: def.listKind, apiVersion: apiVersionOf(def), metadata, items },
    contentType: 'application/json',
  };
}

/**
 * Watch events carry one-row Tables when a Table was negotiated; only the first carries column
 * definitions, as the apiserver does, so kubectl prints the header once.
 */
export function watchEncoder(def: ResourceDefinition, format: ObjectFormat, include: IncludeObject) {
  let first = true;
  return (type: string, object: unknown): unknown => {
    if (type === 'ERROR' || type === 'BOOKMARK') return { type, object };
    const kubeObject = object as KubeObject;
    if (format === 'Table') {
      const table = toTable(def, [kubeObject], {
        include,
        noHeaders: !first,
        resourceVersion: kubeObject.metadata.resourceVersion,
      });
      first = false;
      return { type, object: table };
    }
    if (format === 'PartialObjectMetadata') return { type, object: partialObjectMetadata(kubeObject) };
    return { type, object };
  };
}
