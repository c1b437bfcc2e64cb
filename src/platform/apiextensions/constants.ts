// apiextensions.k8s.io: where a workspace's own CustomResourceDefinitions live.

export const APIEXTENSIONS_GROUP = 'apiextensions.k8s.io';
export const CRD_RESOURCE = 'customresourcedefinitions';
/** The storage key segment of CRDs in a workspace. */
export const CRDS = `${CRD_RESOURCE}.${APIEXTENSIONS_GROUP}`;
export const CRD_SCHEMA_NAME =
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition';

export const NAMES_ACCEPTED = 'NamesAccepted';
export const ESTABLISHED = 'Established';
