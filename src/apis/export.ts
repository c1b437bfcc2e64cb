import { readFile } from 'node:fs/promises';
import { InvalidInputError, NotFoundError } from '../cli/errors.js';
import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { age, printList, renderTable } from '../cli/table.js';
import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { withWorkspaceSession, type WorkspaceSession } from '../workspace/session.js';
import { claimLabel, parsePermissionClaim } from './claims.js';
import { schemaFromDocument } from './schema-from-crd.js';
import { apiExportsPath, apiResourceSchemasPath, type APIExport, type APIResourceSchema } from './types.js';

export interface CreateExportOptions {
  kubeconfig: WorkspaceSelector;
  name: string;
  schemaFiles: string[];
  /** Names of CustomResourceDefinitions already in the workspace, exported as they are. */
  fromCrds: string[];
  claims: string[];
  output: OutputFormat;
}

async function readSchemas(files: readonly string[]): Promise<APIResourceSchema[]> {
  const { parseAllDocuments } = await import('yaml');
  const schemas: APIResourceSchema[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new InvalidInputError(`cannot read ${file}: ${(error as Error).message}`);
    }
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new InvalidInputError(`${file}: ${document.errors[0]!.message}`);
      const value = document.toJS();
      if (value !== null && value !== undefined) schemas.push(schemaFromDocument(value, file));
    }
  }
  if (files.length > 0 && schemas.length === 0)
    throw new InvalidInputError('--schema names no CustomResourceDefinition');
  return schemas;
}

const crdsPath = (workspace: string) =>
  `${clusterPath(workspace)}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`;

/** The workspace's own CRDs, read before anything is written, so a missing one changes nothing. */
async function schemasFromCrds(
  session: WorkspaceSession,
  names: readonly string[],
): Promise<APIResourceSchema[]> {
  const schemas: APIResourceSchema[] = [];
  for (const name of names) {
    let crd: unknown;
    try {
      crd = await session.client.get(`${crdsPath(session.path)}/${encodeURIComponent(name)}`);
    } catch (error) {
      if (isStatusCode(error, 404))
        throw new NotFoundError(`customresourcedefinition "${name}" not found in ${session.path}`);
      throw error;
    }
    schemas.push(schemaFromDocument(crd, `customresourcedefinition ${name}`));
  }
  return schemas;
}

/**
 * `export create`: snapshot each CRD into an APIResourceSchema (immutable, named by its content) and create or
 * update the APIExport that offers them. Everything is checked before anything is sent.
 */
export async function createExport(options: CreateExportOptions, io: IOStreams): Promise<APIExport> {
  if (options.schemaFiles.length === 0 && options.fromCrds.length === 0)
    throw new InvalidInputError(
      'an export needs a schema: give --schema FILE or --from-crd NAME (repeatable)',
    );
  const fileSchemas = await readSchemas(options.schemaFiles);
  const claims = options.claims.map((claim) => ({ ...parsePermissionClaim(claim), verbs: ['*'] }));
  const text = options.output === 'text';
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    const schemas = [...fileSchemas, ...(await schemasFromCrds(session, options.fromCrds))];
    for (const schema of schemas) {
      const created = await createIfMissing(session.client, apiResourceSchemasPath(session.path), schema);
      if (text) io.out(`apiresourceschema ${schema.metadata.name} ${created ? 'created' : 'unchanged'}.`);
    }
    const spec: APIExport['spec'] = {
      resources: schemas.map((schema) => ({
        name: schema.spec.names.plural,
        group: schema.spec.group,
        schema: schema.metadata.name,
        storage: { crd: {} },
      })),
      ...(claims.length > 0 ? { permissionClaims: claims } : {}),
    };
    const collection = apiExportsPath(session.path);
    let exported: APIExport;
    let verb: string;
    try {
      exported = await session.client.post<APIExport>(collection, {
        apiVersion: 'apis.kcp.io/v1alpha2',
        kind: 'APIExport',
        metadata: { name: options.name },
        spec,
      });
      verb = 'created';
    } catch (error) {
      if (!isStatusCode(error, 409)) throw error;
      const existing = await session.client.get<APIExport>(`${collection}/${options.name}`);
      exported = await session.client.request<APIExport>('PUT', `${collection}/${options.name}`, {
        body: { ...existing, spec: { ...existing.spec, ...spec } },
      });
      verb = 'updated';
    }
    if (text)
      io.out(`apiexport ${options.name} ${verb}. Bind it with: kplane bind ${session.path}:${options.name}`);
    else await printData(io, options.output, exported);
    return exported;
  });
}

async function createIfMissing(
  client: RestClient,
  collection: string,
  object: APIResourceSchema,
): Promise<boolean> {
  try {
    await client.post(collection, object);
    return true;
  } catch (error) {
    // Schemas are named by their content, so an existing one with this name is this one.
    if (isStatusCode(error, 409)) return false;
    throw error;
  }
}

/** `export list`: the exports of the current workspace and what they bring. */
export async function listExports(
  options: { kubeconfig: WorkspaceSelector; output: OutputFormat },
  io: IOStreams,
): Promise<APIExport[]> {
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    const { items } = await session.client.get<{ items: APIExport[] }>(apiExportsPath(session.path));
    await printList(io, options.output, items, `No exports in ${session.path}.`, () =>
      renderTable(
        io,
        ['Name', 'Resources', 'Claims', 'Age'],
        items.map((item) => [
          item.metadata.name,
          (item.spec.resources ?? []).map((r) => `${r.name}.${r.group}`).join(',') || '<none>',
          (item.spec.permissionClaims ?? []).map(claimLabel).join(',') || '<none>',
          age(item.metadata.creationTimestamp),
        ]),
      ),
    );
    return items;
  });
}

interface BoundObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
  };
  status?: unknown;
}

/**
 * `export objects`: every object of the export's resources in every consumer workspace, through the export's
 * view (`/services/apiexport/<workspace>/<export>/clusters/*`), which is what a provider's controller watches.
 */
export async function exportObjects(
  options: { kubeconfig: WorkspaceSelector; name: string; watch: boolean; output: OutputFormat },
  io: IOStreams,
  signal?: AbortSignal,
): Promise<BoundObject[]> {
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    let exported: APIExport;
    try {
      exported = await session.client.get<APIExport>(`${apiExportsPath(session.path)}/${options.name}`);
    } catch (error) {
      if (isStatusCode(error, 404)) {
        throw new NotFoundError(`apiexport "${options.name}" not found in ${session.path}`);
      }
      throw error;
    }
    const view = `/services/apiexport/${session.path}/${options.name}/clusters/*`;
    const collections = await Promise.all(
      (exported.spec.resources ?? []).map(async (resource) => {
        const version = await storageVersion(session, resource.schema);
        return `${view}/apis/${resource.group}/${version}/${resource.name}`;
      }),
    );
    const objects: BoundObject[] = [];
    // Each watch starts where its list ended: without a resourceVersion it would replay what was just printed.
    const listedAt: string[] = [];
    for (const collection of collections) {
      const list = await session.client.get<{
        items: BoundObject[];
        metadata?: { resourceVersion?: string };
      }>(collection);
      objects.push(...list.items);
      listedAt.push(list.metadata?.resourceVersion ?? '');
    }
    if (options.output !== 'text') await printData(io, options.output, objects);
    else if (objects.length === 0 && !options.watch)
      io.err(`No objects of ${options.name} in any workspace yet.`);
    else if (objects.length > 0)
      io.out(renderTable(io, ['Workspace', 'Kind', 'Namespace', 'Name', 'Age'], objects.map(objectRow)));
    if (options.watch) {
      await Promise.all(
        collections.map((collection, i) =>
          session.client.watch<BoundObject>(
            collection,
            listedAt[i] ? { resourceVersion: listedAt[i], allowWatchBookmarks: 'true' } : {},
            (event) => {
              if (event.type === 'BOOKMARK') return;
              if (options.output !== 'text') io.out(JSON.stringify(event));
              else io.out([event.type, ...objectRow(event.object)].join('\t'));
            },
            signal,
          ),
        ),
      );
    }
    return objects;
  });
}

function objectRow(object: BoundObject): string[] {
  const annotations = object.metadata.annotations ?? {};
  return [
    annotations['kcp.io/path'] ?? annotations['kcp.io/cluster'] ?? '',
    object.kind,
    object.metadata.namespace ?? '',
    object.metadata.name,
    age(object.metadata.creationTimestamp),
  ];
}

async function storageVersion(session: WorkspaceSession, schemaName: string): Promise<string> {
  const schema = await session.client.get<APIResourceSchema>(
    `${apiResourceSchemasPath(session.path)}/${schemaName}`,
  );
  return (schema.spec.versions.find((v) => v.storage) ?? schema.spec.versions[0])!.name;
}
