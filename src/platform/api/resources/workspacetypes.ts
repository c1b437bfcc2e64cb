import type { ResourceDefinition } from '../registry.js';
import { bool, freeform, kindSchema, obj, str } from '../schema.js';
import { dnsLabelName } from '../validation/names.js';
import { AGE_COLUMN, ageCell, STANDARD_VERBS } from './common.js';

const typeReference = (description: string) =>
  obj(description, {
    name: str('name is the name of the WorkspaceType'),
    path: str('path is the workspace that owns the type'),
  });

export const workspaceTypes: ResourceDefinition = {
  group: 'tenancy.kcp.io',
  version: 'v1alpha1',
  kind: 'WorkspaceType',
  listKind: 'WorkspaceTypeList',
  resource: 'workspacetypes',
  singular: 'workspacetype',
  shortNames: [],
  categories: ['kcp'],
  scope: 'Cluster',
  verbs: STANDARD_VERBS,
  subresources: ['status'],
  description: 'WorkspaceType specifies behaviour of workspaces of this type.',
  schemaName: 'io.kcp.tenancy.v1alpha1.WorkspaceType',
  schema: kindSchema('WorkspaceType specifies behaviour of workspaces of this type.', {
    spec: obj('WorkspaceTypeSpec defines the desired state of the WorkspaceType.', {
      initializer: bool(
        'initializer determines if this WorkspaceType has an associated initializing controller.',
      ),
      terminator: bool(
        'terminator determines if this WorkspaceType has an associated terminating controller.',
      ),
      extend: freeform(
        'extend is a list of other WorkspaceTypes whose initializers and limitAllowedChildren and limitAllowedParents this WorkspaceType is inheriting.',
      ),
      additionalWorkspaceLabels: {
        type: 'object',
        description:
          'additionalWorkspaceLabels are a set of labels that will be added to a Workspace on creation.',
        additionalProperties: { type: 'string' },
      },
      defaultChildWorkspaceType: typeReference(
        'defaultChildWorkspaceType is the WorkspaceType that will be used by default if another, nested Workspace is created in a workspace of this type.',
      ),
      limitAllowedChildren: freeform(
        'limitAllowedChildren specifies constraints for sub-workspaces created in workspaces of this type.',
      ),
      limitAllowedParents: freeform(
        'limitAllowedParents specifies constraints for the parent workspace that workspaces of this type are created in.',
      ),
      defaultAPIBindings: freeform(
        'defaultAPIBindings are the APIs to bind during initialization of workspaces created from this type.',
      ),
      defaultAPIBindingLifecycle: str('defaultAPIBindingLifecycle: InitializeOnly or Maintain.'),
    }),
    status: freeform('WorkspaceTypeStatus defines the observed state of WorkspaceType.'),
  }),
  validateName: dnsLabelName,
  columns: [AGE_COLUMN],
  cells: (object, now) => [ageCell(object, now)],
};
