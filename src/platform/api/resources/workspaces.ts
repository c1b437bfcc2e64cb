import type { Authorizer } from '../../auth/authorize.js';
import { forbidden, type FieldError } from '../../http/errors.js';
import type { ObjectKey } from '../../storage/object-key.js';
import {
  OWNER_ANNOTATION,
  PHASE_LABEL,
  WORKSPACES,
  type WorkspaceTypeReference,
} from '../../tenancy/constants.js';
import { newLogicalClusterId } from '../../tenancy/logical-cluster-id.js';
import { isValidClusterPath, joinPath, ROOT_PATH } from '../../tenancy/paths.js';
import { ownerAnnotation } from '../../tenancy/owner.js';
import { deleteLogicalClusterTree } from '../../tenancy/teardown.js';
import { defaultChildType, findWorkspaceType, formatTypeReference } from '../../tenancy/workspace-types.js';
import { deepEqual, ensureObject, getField, isPlainObject, type KubeObject } from '../object.js';
import type { HookContext, ResourceDefinition } from '../registry.js';
import { conditionsSchema, freeform, kindSchema, obj, str, stringList } from '../schema.js';
import { workspaceName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

const TYPE_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Keeps the phase label in step with status.phase, as kcp does, so `-l tenancy.kcp.io/phase=Ready` works. */
function mirrorPhase(object: KubeObject): void {
  const phase = getField(object, 'status.phase');
  const labels = (object.metadata.labels ??= {});
  if (typeof phase === 'string') labels[PHASE_LABEL] = phase;
  else delete labels[PHASE_LABEL];
}

function validateType(object: KubeObject): FieldError[] {
  const type = getField(object, 'spec.type');
  if (!isPlainObject(type)) return [{ type: 'Required', field: 'spec.type' }];
  const errors: FieldError[] = [];
  if (typeof type.name !== 'string' || !TYPE_NAME.test(type.name)) {
    errors.push({
      type: 'Invalid',
      field: 'spec.type.name',
      value: type.name,
      detail: `spec.type.name in body should match '${TYPE_NAME.source}'`,
    });
  }
  if (typeof type.path !== 'string' || !isValidClusterPath(type.path)) {
    errors.push({
      type: 'Invalid',
      field: 'spec.type.path',
      value: type.path,
      detail: 'must be a valid workspace path',
    });
  }
  return errors;
}

const SYSTEM_FIELDS = ['cluster', 'URL'] as const;

export interface WorkspaceHooksDeps {
  /** Tells the workspace controller there is a new workspace to bring up. */
  onCreated(key: ObjectKey): void;
  authorizer: Authorizer;
}

/**
 * The owner is whoever creates the workspace. Only a privileged writer (the platform itself, making
 * someone's home) may name another owner, or change it later.
 */
function keepOwner(
  object: KubeObject,
  old: KubeObject | undefined,
  ctx: HookContext,
  deps: WorkspaceHooksDeps,
) {
  const annotations = (object.metadata.annotations ??= {});
  if (deps.authorizer.isPrivileged(ctx.user) && annotations[OWNER_ANNOTATION]) return;
  const previous = old ? old.metadata.annotations?.[OWNER_ANNOTATION] : ownerAnnotation(ctx.user);
  if (previous === undefined) delete annotations[OWNER_ANNOTATION];
  else annotations[OWNER_ANNOTATION] = previous;
}

/**
 * kcp's admission: creating a workspace of type T also needs verb `use` on workspacetypes/T in the
 * workspace that holds T (and so access to that workspace), whatever the parent's RBAC allows. It is
 * judged before T is looked up, so a type the caller may not use answers the same whether or not it
 * (or the workspace named as its path) exists.
 */
function checkTypeUse(name: string, ref: WorkspaceTypeReference, ctx: HookContext, deps: WorkspaceHooksDeps) {
  const { authorizer } = deps;
  const typeCluster = ctx.clusters.resolve(ref.path);
  const allowed =
    typeCluster !== undefined &&
    authorizer.mayEnter(ctx.user, typeCluster) &&
    authorizer.authorize(ctx.user, typeCluster, {
      kind: 'resource',
      verb: 'use',
      group: 'tenancy.kcp.io',
      resource: 'workspacetypes',
      name: ref.name,
    });
  if (allowed) return;
  throw forbidden(
    `workspaces.tenancy.kcp.io "${name}" is forbidden: unable to use workspace type ${formatTypeReference(ref)}: missing verb='use' permission on workspacetype`,
    { name, group: 'tenancy.kcp.io', kind: 'workspaces' },
  );
}

export function workspacesResource(deps: WorkspaceHooksDeps): ResourceDefinition {
  return {
    group: 'tenancy.kcp.io',
    version: 'v1alpha1',
    kind: 'Workspace',
    listKind: 'WorkspaceList',
    resource: 'workspaces',
    singular: 'workspace',
    shortNames: ['ws'],
    categories: ['kcp'],
    scope: 'Cluster',
    verbs: STANDARD_VERBS,
    subresources: ['status'],
    description:
      'Workspace defines a generic Kubernetes-cluster-like endpoint, with standard Kubernetes discovery, OpenAPI and resource API endpoints.',
    schemaName: 'io.kcp.tenancy.v1alpha1.Workspace',
    schema: kindSchema(
      'Workspace defines a generic Kubernetes-cluster-like endpoint, with standard Kubernetes discovery, OpenAPI and resource API endpoints. It lives in its parent workspace.',
      {
        spec: obj('WorkspaceSpec holds the desired state of the Workspace.', {
          type: obj(
            'type defines properties of the workspace both on creation (e.g. initial resources and initially installed APIs) and during runtime (e.g. permissions). If no type is provided, the default type for the workspace in which this workspace is nesting will be used. The type is immutable after creation.',
            {
              name: str('name is the name of the WorkspaceType'),
              path: str(
                'path is an absolute reference to the workspace that owns this type, e.g. root:org:ws.',
              ),
            },
          ),
          location: obj('location constraints where this workspace can be scheduled to.', {
            selector: freeform('selector is a label selector that filters workspace scheduling targets.'),
          }),
          cluster: str(
            'cluster is the name of the logical cluster this workspace is stored under. Set by the system.',
          ),
          URL: str(
            'URL is the address under which the Kubernetes-cluster-like endpoint can be found. Set by the system.',
          ),
          mount: freeform('Mount is a reference to an object implementing a mounting feature.'),
        }),
        status: obj('WorkspaceStatus communicates the observed state of the Workspace.', {
          phase: str(
            'Phase of the workspace (Scheduling, Initializing, Ready, Unavailable, Terminating, Deleting).',
          ),
          conditions: conditionsSchema,
          initializers: stringList(
            'initializers must be cleared by a controller before the workspace is ready.',
          ),
          terminators: stringList('terminators must be cleared before the workspace is deleted.'),
        }),
      },
    ),
    validateName: workspaceName,
    columns: [
      { name: 'Type', type: 'string', description: 'Type of the workspace' },
      { name: 'Region', type: 'string', description: 'The region this workspace is in' },
      {
        name: 'Phase',
        type: 'string',
        description: 'The current phase (e.g. Scheduling, Initializing, Ready)',
      },
      { name: 'URL', type: 'string', description: 'URL to access the workspace' },
      AGE_COLUMN,
    ],
    cells: (object, now) => [
      getField(object, 'spec.type.name') ?? '',
      object.metadata.labels?.region ?? '',
      getField(object, 'status.phase') ?? '',
      getField(object, 'spec.URL') ?? '',
      ageCell(object, now),
    ],
    hooks: {
      prepareCreate(object, ctx) {
        const spec = ensureObject(object, 'spec');
        const type = isPlainObject(spec.type) ? spec.type : undefined;
        if (!type?.name) spec.type = defaultChildType(ctx.tx, ctx.clusters, ctx.cluster);
        else if (!type.path) type.path = ROOT_PATH;
        // The system owns where a workspace lives; whatever a client sent is replaced.
        spec.cluster = newLogicalClusterId();
        spec.URL = `${ctx.baseUrl}/clusters/${joinPath(ctx.cluster.path, object.metadata.name ?? '')}`;
        object.status = { phase: 'Scheduling' };
        mirrorPhase(object);
        keepOwner(object, undefined, ctx, deps);
      },
      prepareUpdate(object, old, ctx) {
        keepOwner(object, old, ctx, deps);
        const spec = ensureObject(object, 'spec');
        const oldSpec = ensureObject(old, 'spec');
        if (spec.type === undefined) spec.type = oldSpec.type;
        for (const field of SYSTEM_FIELDS) if (spec[field] === undefined) spec[field] = oldSpec[field];
        mirrorPhase(object);
      },
      validate(object, old, ctx) {
        const errors = validateType(object);
        if (old) {
          if (!deepEqual(getField(object, 'spec.type'), getField(old, 'spec.type'))) {
            errors.push({
              type: 'Invalid',
              field: 'spec.type',
              value: getField(object, 'spec.type'),
              detail: 'spec.type is immutable',
            });
          }
          for (const field of SYSTEM_FIELDS) {
            if (getField(object, `spec.${field}`) !== getField(old, `spec.${field}`)) {
              errors.push({
                type: 'Invalid',
                field: `spec.${field}`,
                value: getField(object, `spec.${field}`),
                detail: 'field is immutable',
              });
            }
          }
        } else if (errors.length === 0) {
          const ref = getField(object, 'spec.type') as { name: string; path: string };
          // Permission first: only someone who may use types there learns whether this one exists.
          checkTypeUse(object.metadata.name ?? '', ref, ctx, deps);
          if (!findWorkspaceType(ctx.tx, ctx.clusters, ref)) {
            errors.push({
              type: 'Invalid',
              field: 'spec.type',
              value: formatTypeReference(ref),
              detail: `WorkspaceType ${formatTypeReference(ref)} does not exist`,
            });
          }
        }
        return errors;
      },
      afterCreate(object, ctx) {
        deps.onCreated({
          cluster: ctx.cluster.id,
          resource: WORKSPACES,
          namespace: '',
          name: object.metadata.name ?? '',
        });
      },
      beforeDelete(object, ctx) {
        const cluster = getField(object, 'spec.cluster');
        if (typeof cluster === 'string' && cluster) deleteLogicalClusterTree(ctx.tx, ctx.clusters, cluster);
      },
    },
  };
}
