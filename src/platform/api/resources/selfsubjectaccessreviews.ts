import { withPublishedSchema } from '../../builtin/published-definitions.js';
import type { Authorizer } from '../../auth/authorize.js';
import type { AccessRequest } from '../../auth/rbac/rules.js';
import { badRequest } from '../../http/errors.js';
import { isPlainObject, type KubeObject } from '../object.js';
import { selfSubjectAccessReviewMessage } from '../protobuf/messages.js';
import type { ResourceDefinition } from '../registry.js';

// authorization.k8s.io/v1 SelfSubjectAccessReview: `kubectl auth can-i`. The question is asked of
// the same authorizer that guards requests, in the workspace the review is posted to (which the
// caller could enter, or the review would not have reached here).

const GROUP = 'authorization.k8s.io';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function question(body: unknown): AccessRequest {
  const spec = isPlainObject(body) && isPlainObject(body.spec) ? body.spec : {};
  const resource = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isPlainObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (resource && !nonResource) {
    const request: AccessRequest = {
      kind: 'resource',
      verb: text(resource.verb),
      group: text(resource.group),
      resource: text(resource.resource),
    };
    if (text(resource.subresource)) request.subresource = text(resource.subresource);
    if (text(resource.namespace)) request.namespace = text(resource.namespace);
    if (text(resource.name)) request.name = text(resource.name);
    return request;
  }
  if (nonResource && !resource)
    return { kind: 'nonResource', verb: text(nonResource.verb), path: text(nonResource.path) };
  throw badRequest(
    'SelfSubjectAccessReview is invalid: spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
  );
}

export function selfSubjectAccessReviews(deps: { authorizer: Authorizer }): ResourceDefinition {
  return withPublishedSchema({
    group: GROUP,
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    listKind: 'SelfSubjectAccessReviewList',
    resource: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    shortNames: [],
    categories: [],
    scope: 'Cluster',
    verbs: ['create'],
    subresources: [],
    description:
      'SelfSubjectAccessReview checks whether or the current user can perform an action. Not filling in a spec.namespace means "in all namespaces".',
    schemaName: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
    protobuf: selfSubjectAccessReviewMessage,
    validateName: () => [],
    columns: [],
    cells: () => [],
    review: ({ user, cluster }, body): KubeObject => {
      const allowed = deps.authorizer.authorize(user, cluster, question(body));
      return {
        kind: 'SelfSubjectAccessReview',
        apiVersion: `${GROUP}/v1`,
        metadata: { creationTimestamp: null as unknown as string },
        spec: isPlainObject(body) && isPlainObject(body.spec) ? body.spec : {},
        status: { allowed },
      };
    },
  });
}
