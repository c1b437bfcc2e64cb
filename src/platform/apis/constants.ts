// Names kcp uses for its apis.kcp.io kinds: storage keys, versions, annotations, condition types and
// reasons. Shared by the API definitions, the binding controller, the bound resources and the view.

export const APIS_GROUP = 'apis.kcp.io';
export const V1ALPHA1 = 'v1alpha1';
export const V1ALPHA2 = 'v1alpha2';

export const API_RESOURCE_SCHEMAS = `apiresourceschemas.${APIS_GROUP}`;
export const API_EXPORTS = `apiexports.${APIS_GROUP}`;
export const API_BINDINGS = `apibindings.${APIS_GROUP}`;

/** Every object of a bound resource names the logical cluster it lives in, as kcp's storage does. */
export const CLUSTER_ANNOTATION = 'kcp.io/cluster';

/** The virtual subresource whose verbs open an export's view (kcp's APIExport virtual workspace). */
export const CONTENT_SUBRESOURCE = 'content';
/** The verb a user needs on apiexports/<name> in the export's workspace to bind it. */
export const BIND_VERB = 'bind';

/** APIBinding condition types and reasons (sdk/apis/apis/v1alpha2/types_apibinding.go). */
export const APIEXPORT_VALID = 'APIExportValid';
export const INITIAL_BINDING_COMPLETED = 'InitialBindingCompleted';
export const BINDING_UP_TO_DATE = 'BindingUpToDate';
export const PERMISSION_CLAIMS_VALID = 'PermissionClaimsValid';
export const PERMISSION_CLAIMS_APPLIED = 'PermissionClaimsApplied';
export const READY = 'Ready';

export const APIEXPORT_NOT_FOUND = 'APIExportNotFound';
export const SCHEMA_INVALID = 'APIResourceSchemaInvalid';
export const NAMING_CONFLICTS = 'NamingConflicts';
export const INVALID_PERMISSION_CLAIMS = 'InvalidPermissionClaims';

/** APIExport condition types. */
export const IDENTITY_VALID = 'IdentityValid';
export const VIRTUAL_WORKSPACE_URLS_READY = 'VirtualWorkspaceURLsReady';
