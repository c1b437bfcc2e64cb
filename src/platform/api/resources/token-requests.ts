import {
  audienceErrors,
  expirationErrors,
  mintServiceAccountToken,
  TOKEN_EXPIRATION_SECONDS,
  tokenAudiences,
} from '../../auth/service-account-tokens.js';
import { withPublishedSchema } from '../../builtin/published-definitions.js';
import { badRequest, invalid, type FieldError } from '../../http/errors.js';
import type { TokenStore } from '../../storage/token-store.js';
import { isPlainObject, nowTimestamp, type KubeObject } from '../object.js';
import { tokenRequestMessage } from '../protobuf/messages.js';
import type { ResourceDefinition, SubresourceAction } from '../registry.js';
import { checkAndPruneFields } from '../validation/schema-fields.js';

// authentication.k8s.io/v1 TokenRequest, the `token` subresource of a ServiceAccount (`kubectl create token`):
// answered with a fresh token bound to that ServiceAccount and to the workspace that holds it, never stored as
// an object.

const GROUP = 'authentication.k8s.io';

const tokenRequests: ResourceDefinition = withPublishedSchema({
  group: GROUP,
  version: 'v1',
  kind: 'TokenRequest',
  listKind: 'TokenRequestList',
  resource: 'tokenrequests',
  singular: 'tokenrequest',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  verbs: ['create'],
  subresources: [],
  description: 'TokenRequest requests a token for a given service account.',
  schemaName: 'io.k8s.api.authentication.v1.TokenRequest',
  validateName: () => [],
  columns: [],
  cells: () => [],
  protobuf: tokenRequestMessage,
});

/** The request's spec, once the body decodes as a TokenRequest: wrong JSON types are a 400, as Go's decoder gives. */
function specOf(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw badRequest('the request body must be a TokenRequest object');
  if (body.kind !== undefined && body.kind !== 'TokenRequest')
    throw badRequest(`the request body must be a TokenRequest, not ${JSON.stringify(body.kind)}`);
  const { typeErrors } = checkAndPruneFields(tokenRequests.schema, body);
  if (typeErrors.length > 0) throw badRequest(`json: ${typeErrors.join(', ')}`);
  return isPlainObject(body.spec) ? body.spec : {};
}

/** The `token` subresource of ServiceAccounts, minting into `tokens`. */
export function tokenRequestAction(tokens: TokenStore): SubresourceAction {
  return {
    definition: tokenRequests,
    async create(ctx, account, body): Promise<KubeObject> {
      const spec = specOf(body);
      const name = account.metadata.name ?? '';
      const seconds = spec.expirationSeconds ?? TOKEN_EXPIRATION_SECONDS.default;
      // The schema check above made audiences a list of strings, when present.
      const audiences = tokenAudiences(spec.audiences as string[] | undefined);
      const errors: FieldError[] = [...audienceErrors(audiences), ...expirationErrors(seconds)];
      // A token bound to a Pod or Secret ends with that object; nothing here runs pods, so none can be named.
      if (spec.boundObjectRef !== undefined && spec.boundObjectRef !== null)
        errors.push({
          type: 'Forbidden',
          field: 'spec.boundObjectRef',
          detail: 'this platform runs no pods: a token cannot be bound to an object',
        });
      if (errors.length > 0) throw invalid(tokenRequests, name, errors);
      const { token, expiresAt, stored } = mintServiceAccountToken(
        tokens,
        {
          cluster: ctx.cluster.id,
          namespace: account.metadata.namespace ?? '',
          name,
          uid: account.metadata.uid ?? '',
        },
        seconds as number,
      );
      // The token is answered only once every replica can find it.
      await stored;
      return {
        apiVersion: `${GROUP}/v1`,
        kind: 'TokenRequest',
        metadata: {
          name,
          namespace: account.metadata.namespace ?? '',
          creationTimestamp: nowTimestamp(),
        },
        spec: { audiences, expirationSeconds: seconds, boundObjectRef: null },
        status: { token, expirationTimestamp: nowTimestamp(new Date(expiresAt)) },
      } as KubeObject;
    },
  };
}
