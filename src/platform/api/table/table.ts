import type { ResourceDefinition, TableColumn } from '../registry.js';
import type { KubeObject } from '../object.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
};

export function columnDefinitions(def: ResourceDefinition): TableColumn[] {
  const columns = def.nameColumnLast
    ? [...def.columns, { ...NAME_COLUMN, priority: 1 }]
    : [NAME_COLUMN, ...def.columns];
  return columns.map((column) => ({ priority: 0, format: '', ...column }));
}

function rowCells(def: ResourceDefinition, object: KubeObject, now: Date): unknown[] {
  const name = object.metadata.name ?? '';
  return def.nameColumnLast ? [...def.cells(object, now), name] : [name, ...def.cells(object, now)];
}

/** The object as `as=PartialObjectMetadata` (and a Table row's default embedded object) shows it. */
export function partialObjectMetadata(object: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return partialObjectMetadata(object);
}

export interface TableOptions {
  include: IncludeObject;
  /** Watch events after the first omit column definitions, as the apiserver's NoHeaders does. */
  noHeaders?: boolean;
  resourceVersion?: string;
  now?: Date;
}

/** Builds a meta.k8s.io/v1 Table; kubectl prints the cells verbatim and upper-cases the headers. */
export function toTable(
  def: ResourceDefinition,
  objects: KubeObject[],
  options: TableOptions,
): Record<string, unknown> {
  const now = options.now ?? new Date();
  const metadata: Record<string, string> = {};
  if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.noHeaders ? [] : columnDefinitions(def),
    rows: objects.map((object) => {
      const row: Record<string, unknown> = { cells: rowCells(def, object, now) };
      const embedded = rowObject(object, options.include);
      if (embedded !== undefined) row.object = embedded;
      return row;
    }),
  };
}
