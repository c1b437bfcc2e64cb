// The subset of OpenAPI v3 schema that the registry uses to describe kinds. The same schema drives
// `kubectl explain`, the published OpenAPI documents and server-side field validation.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: string[];
  /** Validation keywords, enforced where a kind's hooks validate against its schema. */
  pattern?: string;
  minLength?: number;
  minItems?: number;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** An object that is itself a Kubernetes object: apiVersion, kind and metadata are implied. */
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  /** A number or a string (IntOrString, Quantity): the JSON type is not fixed. */
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  /**
   * Go's name for the field's type (`int32`, `v1.DeploymentSpec`), set on Kubernetes' published
   * schemas so a decoding error names types as kube-apiserver's Go decoder does. Never published.
   */
  goType?: string;
}

export const str = (description: string, extra: Partial<Schema> = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
});
export const int = (description: string): Schema => ({ type: 'integer', format: 'int64', description });
export const bool = (description: string): Schema => ({ type: 'boolean', description });
export const stringMap = (description: string): Schema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});
export const array = (description: string, items: Schema, extra: Partial<Schema> = {}): Schema => ({
  type: 'array',
  description,
  items,
  ...extra,
});
export const stringList = (description: string): Schema => array(description, { type: 'string' });
export const obj = (
  description: string,
  properties: Record<string, Schema>,
  extra: Partial<Schema> = {},
): Schema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});
export const freeform = (description: string): Schema => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

const conditionSchema = obj('Condition describes one aspect of the current state of the object.', {
  type: str('Type of condition.'),
  status: str('Status of the condition, one of True, False, Unknown.'),
  severity: str('Severity of the condition.'),
  reason: str("The reason for the condition's last transition in CamelCase."),
  message: str('A human readable message indicating details about the transition.'),
  lastTransitionTime: str('Last time the condition transitioned from one status to another.', {
    format: 'date-time',
  }),
  observedGeneration: int('The generation of the object the condition was set for.'),
});

export const conditionsSchema = array('Current service state of the object.', conditionSchema);

const ownerReference = obj(
  'OwnerReference contains enough information to let you identify an owning object.',
  {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, the owner cannot be deleted before this object.'),
  },
);

export const objectMetaSchema: Schema = obj(
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  {
    name: str('Name must be unique within a namespace. Cannot be updated.'),
    generateName: str(
      'An optional prefix, used by the server, to generate a unique name if name is not provided.',
    ),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated.'),
    uid: str('UID is the unique in time and space value for this object. Populated by the system.'),
    resourceVersion: str(
      'An opaque value that represents the internal version of this object. Populated by the system.',
    ),
    generation: int(
      'A sequence number representing a specific generation of the desired state. Populated by the system.',
    ),
    creationTimestamp: str('A timestamp representing the server time when this object was created.', {
      format: 'date-time',
    }),
    deletionTimestamp: str('RFC 3339 date and time at which this resource will be deleted.', {
      format: 'date-time',
    }),
    deletionGracePeriodSeconds: int('Number of seconds allowed for this object to gracefully terminate.'),
    labels: stringMap('Map of string keys and values that can be used to organize and categorize objects.'),
    annotations: stringMap('Annotations is an unstructured key value map stored with a resource.'),
    ownerReferences: array('List of objects depended by this object.', ownerReference),
    finalizers: stringList('Must be empty before the object is deleted from the registry.'),
    managedFields: array(
      'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
      freeform('ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource.'),
    ),
  },
);

/** The envelope every kind shares: apiVersion, kind, metadata. */
export function kindSchema(description: string, properties: Record<string, Schema>): Schema {
  return obj(description, {
    apiVersion: str(
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
    ),
    kind: str(
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
    ),
    metadata: objectMetaSchema,
    ...properties,
  });
}
