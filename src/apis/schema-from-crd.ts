import { createHash } from 'node:crypto';
import { InvalidInputError } from '../cli/errors.js';
import type { APIResourceSchema, CustomResourceNames, SchemaVersion } from './types.js';

interface CrdLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    group?: string;
    names?: Partial<CustomResourceNames>;
    scope?: string;
    versions?: SchemaVersion[];
  };
}

/**
 * JSON with every object's keys sorted: the same spec read from a file or from the server (where
 * kubectl stored it with its keys sorted) hashes alike, so it gets the same schema name.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/**
 * Turns a CustomResourceDefinition (or an APIResourceSchema) into an APIResourceSchema named
 * `<prefix>.<plural>.<group>`, as kcp's `crd snapshot` does. The prefix is derived from the spec, so the same
 * schema always gets the same name (schemas are immutable: a changed spec is a new schema).
 */
export function schemaFromDocument(document: unknown, source: string): APIResourceSchema {
  const crd = (document ?? {}) as CrdLike;
  const kind = crd.kind;
  if (kind !== 'CustomResourceDefinition' && kind !== 'APIResourceSchema') {
    throw new InvalidInputError(
      `${source}: expected a CustomResourceDefinition or an APIResourceSchema, found ${kind ?? 'nothing'}`,
    );
  }
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const problems: string[] = [];
  if (!spec.group) problems.push('spec.group is required');
  if (!names.plural) problems.push('spec.names.plural is required');
  if (!names.kind) problems.push('spec.names.kind is required');
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
    problems.push('spec.scope must be Namespaced or Cluster');
  const versions = spec.versions ?? [];
  if (versions.length === 0) problems.push('spec.versions needs at least one version');
  if (versions.filter((v) => v.storage).length !== 1)
    problems.push('exactly one version must have storage: true');
  if (problems.length > 0) throw new InvalidInputError(`${source}: ${problems.join('; ')}`);

  const schemaSpec: APIResourceSchema['spec'] = {
    group: spec.group!,
    names: {
      plural: names.plural!,
      singular: names.singular ?? names.kind!.toLowerCase(),
      kind: names.kind!,
      listKind: names.listKind ?? `${names.kind}List`,
      ...(names.shortNames ? { shortNames: names.shortNames } : {}),
      ...(names.categories ? { categories: names.categories } : {}),
    },
    scope: spec.scope as 'Namespaced' | 'Cluster',
    versions: versions.map((version) => ({
      name: version.name,
      served: version.served ?? true,
      storage: version.storage ?? false,
      ...(version.schema ? { schema: version.schema } : {}),
      ...(version.subresources ? { subresources: version.subresources } : {}),
      ...(version.additionalPrinterColumns
        ? { additionalPrinterColumns: version.additionalPrinterColumns }
        : {}),
    })),
  };
  const digest = createHash('sha256').update(canonicalJson(schemaSpec)).digest('hex').slice(0, 8);
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIResourceSchema',
    metadata: { name: `v${digest}.${schemaSpec.names.plural}.${schemaSpec.group}` },
    spec: schemaSpec,
  };
}
