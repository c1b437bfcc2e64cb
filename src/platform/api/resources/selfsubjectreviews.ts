import { withPublishedSchema } from '../../builtin/published-definitions.js';
import type { UserInfo } from '../../auth/user.js';
import type { KubeObject } from '../object.js';
import { selfSubjectReviewMessage } from '../protobuf/messages.js';
import type { ResourceDefinition } from '../registry.js';

// authentication.k8s.io/v1 SelfSubjectReview: `kubectl auth whoami` and `kplane whoami`. Nothing
// is stored; a create answers with the caller as the server authenticated them.

const GROUP = 'authentication.k8s.io';

export function selfSubjectReview(user: UserInfo): KubeObject {
  const userInfo: Record<string, unknown> = { username: user.name, groups: user.groups };
  if (user.uid !== undefined) userInfo.uid = user.uid;
  if (user.extra && Object.keys(user.extra).length > 0) userInfo.extra = user.extra;
  return {
    kind: 'SelfSubjectReview',
    apiVersion: `${GROUP}/v1`,
    // The apiserver serialises the zero creation time of an unstored object as null.
    metadata: { creationTimestamp: null as unknown as string },
    status: { userInfo },
  };
}

export const selfSubjectReviews: ResourceDefinition = withPublishedSchema({
  group: GROUP,
  version: 'v1',
  kind: 'SelfSubjectReview',
  listKind: 'SelfSubjectReviewList',
  resource: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  shortNames: [],
  categories: [],
  scope: 'Cluster',
  verbs: ['create'],
  subresources: [],
  description:
    'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request.',
  schemaName: 'io.k8s.api.authentication.v1.SelfSubjectReview',
  validateName: () => [],
  columns: [],
  cells: () => [],
  protobuf: selfSubjectReviewMessage,
  review: ({ user }) => selfSubjectReview(user),
});
