import {
  array,
  bool,
  conditionsSchema,
  freeform,
  kindSchema,
  obj,
  str,
  stringList,
  stringMap,
  type Schema,
} from '../schema.js';

// OpenAPI schemas of kcp's apis.kcp.io kinds (sdk/apis/apis/v1alpha1 and v1alpha2), with kcp's
// field names, its validation rules where they are plain OpenAPI, and shortened descriptions. The
// APIs' hooks validate specs against them, so the rules live in one place and `explain` shows them.

const required = (schema: Schema, fields: string[]): Schema => ({ ...schema, required: fields });

const GROUP_RESOURCE = {
  group: str('group is the name of an API group. For core groups this is the empty string.'),
  resource: str('resource is the name of the resource (the plural).', { minLength: 1 }),
  identityHash: str('This is the identity for a given APIExport that the APIResourceSchema belongs to.'),
};

const verbs = stringList(
  'verbs is a list of supported API operation types (this includes but is not limited to get, list, watch, create, update, patch, delete, deletecollection, and proxy). "*" means all.',
);

const exportClaimV2 = required(
  obj('PermissionClaim identifies an object by GR and identity hash, and the verbs it may be used with.', {
    ...GROUP_RESOURCE,
    verbs: { ...verbs, minItems: 1 },
  }),
  ['resource', 'verbs'],
);

const exportClaimV1 = required(
  obj('PermissionClaim identifies an object by GR and identity hash.', {
    ...GROUP_RESOURCE,
    all: bool('all claims all resources for the given group/resource.'),
    resourceSelector: array(
      'resourceSelector is a list of claimed resource selectors.',
      obj('ResourceSelector identifies the objects to be included within a PermissionClaim.', {
        name: str('name of an object within a claimed group/resource.'),
        namespace: str('namespace of an object within a claimed group/resource.'),
      }),
    ),
  }),
  ['resource'],
);

const claimState = str('state indicates if the claim is accepted or rejected.', {
  enum: ['Accepted', 'Rejected'],
});

const bindingClaimV2 = required(
  obj('AcceptablePermissionClaim is a PermissionClaim that records if the user accepts or rejects it.', {
    ...GROUP_RESOURCE,
    verbs: { ...verbs, minItems: 1 },
    selector: obj('selector restricts the claim to the objects it selects.', {
      matchAll: bool('matchAll matches every object of the resource.'),
      matchLabels: stringMap('matchLabels is a map of {key,value} pairs.'),
      matchExpressions: array(
        'matchExpressions is a list of label selector requirements.',
        freeform('A requirement.'),
      ),
    }),
    state: claimState,
  }),
  ['resource', 'verbs', 'state'],
);

const bindingClaimV1 = required(
  obj('AcceptablePermissionClaim is a PermissionClaim that records if the user accepts or rejects it.', {
    ...(exportClaimV1.properties ?? {}),
    state: claimState,
  }),
  ['resource', 'state'],
);

const identity = obj('identity points to a secret that contains the API identity in the "key" file.', {
  secretRef: obj('secretRef is a reference to a secret that contains the identity.', {
    name: str('name is unique within a namespace to reference a secret resource.'),
    namespace: str('namespace defines the space within which the secret name must be unique.'),
  }),
});

const maximalPermissionPolicy = freeform(
  'maximalPermissionPolicy will allow for a service provider to set an upper bound on what is allowed for a consumer of this API.',
);

const exportStatus = obj('APIExportStatus defines the observed state of APIExport.', {
  identityHash: str('identityHash is the hash of the API identity that this APIExport represents.'),
  conditions: conditionsSchema,
  virtualWorkspaces: array(
    'virtualWorkspaces contains all APIExport virtual workspace URLs. Deprecated.',
    obj('A virtual workspace URL.', { url: str('url is an APIExport virtual workspace URL.') }),
  ),
});

const EXPORT_DESCRIPTION =
  'APIExport registers an API and implementation to allow consumption by others through APIBindings.';

export const apiExportV1alpha2Schema = kindSchema(EXPORT_DESCRIPTION, {
  spec: obj('APIExportSpec defines the desired state of APIExport.', {
    resources: array(
      'Resources are the resources to be exported.',
      required(
        obj('ResourceSchema defines the export of a resource and its schema.', {
          name: str('Name is the name of the resource (the plural).', { minLength: 1 }),
          group: str('Group is the API group of the resource.'),
          schema: str('Schema is the name of the APIResourceSchema, <prefix>.<name>.<group>.', {
            minLength: 1,
          }),
          storage: obj('Storage defines how the resource is stored (crd or virtual).', {
            crd: freeform('crd: the resource is stored like a custom resource.'),
            virtual: freeform('virtual: the resource is served by another endpoint.'),
          }),
        }),
        ['name', 'schema'],
      ),
    ),
    identity,
    maximalPermissionPolicy,
    permissionClaims: array(
      "permissionClaims make resources available in APIExport's virtual workspace that are not part of the actual APIExport resources.",
      exportClaimV2,
    ),
  }),
  status: exportStatus,
});

export const apiExportV1alpha1Schema = kindSchema(EXPORT_DESCRIPTION, {
  spec: obj('APIExportSpec defines the desired state of APIExport.', {
    latestResourceSchemas: stringList(
      'latestResourceSchemas records the latest APIResourceSchemas that are exposed with this APIExport.',
    ),
    identity,
    maximalPermissionPolicy,
    permissionClaims: array(
      "permissionClaims make resources available in APIExport's virtual workspace that are not part of the actual APIExport resources.",
      exportClaimV1,
    ),
  }),
  status: exportStatus,
});

const BINDING_DESCRIPTION =
  'APIBinding enables a set of resources and their behaviour through an external service provider in this workspace.';

const exportReference = required(
  obj('reference uniquely identifies an API to bind to.', {
    export: required(
      obj('export is a reference to an APIExport by cluster name and export name.', {
        path: str(
          'path is a logical cluster path where the APIExport is defined. If empty, the APIExport is in the same workspace as the APIBinding.',
          {
            pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
          },
        ),
        name: str('name is the name of the APIExport that describes the API.', { minLength: 1 }),
      }),
      ['name'],
    ),
  }),
  ['export'],
);

const bindingStatus = (claim: Schema) =>
  obj('APIBindingStatus records which schemas are bound.', {
    apiExportClusterName: str(
      'APIExportClusterName records the name (not path) of the logical cluster that contains the APIExport.',
    ),
    boundResources: array(
      'boundResources records the state of bound APIs.',
      obj(
        'BoundAPIResource describes a bound GroupVersionResource through an APIResourceSchema of an APIExport.',
        {
          group: str('group is the group of the bound API.'),
          resource: str('resource is the resource of the bound API (the plural).'),
          schema: obj('Schema is the bound APIResourceSchema.', {
            name: str('name is the bound APIResourceSchema name.'),
            UID: str('UID is the UID of the APIResourceSchema that is bound to this APIBinding.'),
            identityHash: str('identityHash is the hash of the API identity that this schema is bound to.'),
          }),
          storageVersions: stringList(
            'storageVersions lists all versions of a resource that were ever persisted.',
          ),
        },
      ),
    ),
    phase: str('phase is the current phase of the APIBinding: "", Binding or Bound.'),
    conditions: conditionsSchema,
    appliedPermissionClaims: array(
      'appliedPermissionClaims is a list of claims that have been applied.',
      claim,
    ),
    exportPermissionClaims: array(
      'exportPermissionClaims records the permissions that the export provider is asking for the binding to grant.',
      claim,
    ),
  });

export const apiBindingV1alpha2Schema = kindSchema(BINDING_DESCRIPTION, {
  spec: required(
    obj('APIBindingSpec records the APIs and implementations that are to be bound.', {
      reference: exportReference,
      permissionClaims: array(
        'permissionClaims records decisions about permission claims requested by the API service provider.',
        bindingClaimV2,
      ),
    }),
    ['reference'],
  ),
  status: bindingStatus(exportClaimV2),
});

export const apiBindingV1alpha1Schema = kindSchema(BINDING_DESCRIPTION, {
  spec: required(
    obj('APIBindingSpec records the APIs and implementations that are to be bound.', {
      reference: exportReference,
      permissionClaims: array(
        'permissionClaims records decisions about permission claims requested by the API service provider.',
        bindingClaimV1,
      ),
    }),
    ['reference'],
  ),
  status: bindingStatus(exportClaimV1),
});

const versionSchema = required(
  obj('APIResourceVersion describes one API version of a resource.', {
    name: str('name is the version name, e.g. "v1", "v2beta1".', {
      pattern: '^v[1-9][0-9]*([a-z]+[1-9][0-9]*)?$',
    }),
    served: bool('served is a flag enabling/disabling this version from being served via REST APIs.'),
    storage: bool(
      'storage indicates this version should be used when persisting custom resources to storage.',
    ),
    deprecated: bool('deprecated indicates this version of the custom resource API is deprecated.'),
    deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients.'),
    schema: freeform(
      'schema describes the structural schema used for validation, pruning, and defaulting of this version.',
    ),
    subresources: obj(
      'subresources specify what subresources this version of the defined custom resource have.',
      {
        status: freeform('status indicates the custom resource should serve a `/status` subresource.'),
        scale: freeform('scale indicates the custom resource should serve a `/scale` subresource.'),
      },
    ),
    additionalPrinterColumns: array(
      'additionalPrinterColumns specifies additional columns returned in Table output.',
      required(
        obj('CustomResourceColumnDefinition specifies a column for server side printing.', {
          name: str('name is a human readable name for the column.'),
          type: str('type is an OpenAPI type definition for this column.'),
          format: str('format is an optional OpenAPI type definition for this column.'),
          description: str('description is a human readable description of this column.'),
          priority: {
            type: 'integer',
            format: 'int32',
            description: 'priority is an integer defining the relative importance of this column.',
          },
          jsonPath: str(
            'jsonPath is a simple JSON path which is evaluated against each custom resource to produce the value for this column.',
          ),
        }),
        ['name', 'type', 'jsonPath'],
      ),
    ),
    selectableFields: array(
      'selectableFields specifies paths to fields that may be used as field selectors.',
      freeform('A selectable field.'),
    ),
  }),
  ['name', 'served', 'storage'],
);

export const apiResourceSchemaSchema = kindSchema(
  'APIResourceSchema describes a resource, identified by (group, version, resource, schema). A APIResourceSchema is immutable and cannot be deleted if they are referenced by an APIExport in the same workspace.',
  {
    spec: required(
      obj('APIResourceSchemaSpec defines the desired state of APIResourceSchema.', {
        group: str('group is the API group of the defined custom resource.', { minLength: 1 }),
        names: required(
          obj('names specify the resource and kind names for the custom resource.', {
            plural: str('plural is the plural name of the resource to serve.', { minLength: 1 }),
            singular: str('singular is the singular name of the resource.'),
            kind: str('kind is the serialized kind of the resource.', { minLength: 1 }),
            listKind: str('listKind is the serialized kind of the list for this resource.'),
            shortNames: stringList(
              'shortNames are short names for the resource, exposed in API discovery documents.',
            ),
            categories: stringList(
              'categories is a list of grouped resources this custom resource belongs to (e.g. "all").',
            ),
          }),
          ['plural', 'kind'],
        ),
        scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped.', {
          enum: ['Cluster', 'Namespaced'],
        }),
        versions: array('versions is the API version of the defined custom resource.', versionSchema, {
          minItems: 1,
        }),
        nameValidation: str('nameValidation can be used to configure name validation for bound APIs.', {
          enum: ['DNS1123Subdomain', 'PathSegmentName'],
        }),
        conversion: freeform('conversion defines conversion settings for the defined custom resource.'),
      }),
      ['group', 'names', 'scope', 'versions'],
    ),
  },
);
