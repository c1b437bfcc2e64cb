import type { AccessRequest } from '../auth/rbac/rules.js';

// Every failure leaves the server as a metav1.Status with the code, reason and wording that
// apimachinery's errors package uses, because kubectl prints `Error from server (<reason>): <message>`
// and clients branch on `reason`.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'InternalError';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  /** Also sent as the Retry-After header. */
  retryAfterSeconds?: number;
}

/** Names a resource the way error messages need it: plural, group, and kind for validation errors. */
export interface ResourceName {
  group: string;
  resource: string;
  kind: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** `configmaps` for the core group, `workspaces.tenancy.kcp.io` otherwise (schema.GroupResource.String). */
export function qualifiedResource(name: Pick<ResourceName, 'group' | 'resource'>): string {
  return name.group ? `${name.resource}.${name.group}` : name.resource;
}

function qualifiedKind(name: Pick<ResourceName, 'group' | 'kind'>): string {
  return name.group ? `${name.kind}.${name.group}` : name.kind;
}

export function notFound(rn: ResourceName, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(rn)} "${name}" not found`, {
    name,
    group: rn.group,
    kind: rn.resource,
  });
}

export function alreadyExists(rn: ResourceName, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(rn)} "${name}" already exists`, {
    name,
    group: rn.group,
    kind: rn.resource,
  });
}

export function conflict(rn: ResourceName, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(rn)} "${name}": ${why}`,
    { name, group: rn.group, kind: rn.resource },
  );
}

export const STALE_OBJECT =
  'the object has been modified; please apply your changes to the latest version and try again';

export type FieldErrorType = 'Invalid' | 'Required' | 'Forbidden' | 'NotFound' | 'Unsupported' | 'Duplicate';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

const CAUSE_REASON: Record<FieldErrorType, string> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  Forbidden: 'FieldValueForbidden',
  NotFound: 'FieldValueNotFound',
  Unsupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
};

function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return '"null"';
  // Go's %#v of a []string, as field errors on RBAC rules print it.
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return `[]string{${value.map((item) => JSON.stringify(item)).join(', ')}}`;
  // Go's %#v of a map[string]string (labels, selectors), keys sorted as fmt prints them.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.every(([, item]) => typeof item === 'string')) {
      const body = entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => `${JSON.stringify(key)}:${JSON.stringify(item)}`)
        .join(', ');
      return `map[string]string{${body}}`;
    }
  }
  if (typeof value === 'object' && value !== null) return '"object"';
  return String(value);
}

/** The text after `field: `, as field.Error.ErrorBody renders it. */
function fieldErrorBody(e: FieldError): string {
  const tail = e.detail ? `: ${e.detail}` : '';
  switch (e.type) {
    case 'Invalid':
      return `Invalid value: ${renderValue(e.value)}${tail}`;
    case 'Required':
      return `Required value${tail}`;
    case 'Forbidden':
      return `Forbidden${tail}`;
    case 'NotFound':
      return `Not found: ${renderValue(e.value)}`;
    case 'Unsupported':
      return `Unsupported value: ${renderValue(e.value)}${tail}`;
    case 'Duplicate':
      return `Duplicate value: ${renderValue(e.value)}`;
  }
}

export function invalid(rn: ResourceName, name: string, errors: FieldError[]): ApiError {
  const rendered = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind(rn)} "${name}" is invalid: ${summary}`, {
    name,
    group: rn.group,
    kind: rn.kind,
    causes: errors.map((e) => ({ reason: CAUSE_REASON[e.type], message: fieldErrorBody(e), field: e.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}

/** kcp answers unknown and forbidden workspaces alike so callers cannot probe what exists. */
export function workspaceAccessDenied(): ApiError {
  return forbidden('workspace access not permitted');
}

/** kcp's answer while a home workspace is still being created; client-go retries after the delay. */
export function tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/**
 * The apiserver's denial (responsewriters.Forbidden): `<resource> "<name>" is forbidden: User "u"
 * cannot <verb> resource "<r>" in API group "<g>" in the namespace "<ns>"` (or "at the cluster
 * scope"), and `forbidden: User "u" cannot <verb> path "<p>"` for non-resource requests.
 */
export function requestForbidden(userName: string, request: AccessRequest): ApiError {
  if (request.kind === 'nonResource') {
    return forbidden(
      `forbidden: User ${JSON.stringify(userName)} cannot ${request.verb} path ${JSON.stringify(request.path)}`,
    );
  }
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const scope = request.namespace
    ? `in the namespace ${JSON.stringify(request.namespace)}`
    : 'at the cluster scope';
  const reason = `User ${JSON.stringify(userName)} cannot ${request.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(request.group)} ${scope}`;
  const subject = qualifiedResource(request);
  const name = request.name ?? '';
  return forbidden(
    name
      ? `${subject} ${JSON.stringify(name)} is forbidden: ${reason}`
      : `${subject} is forbidden: ${reason}`,
    {
      name,
      group: request.group,
      kind: request.resource,
    },
  );
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource`,
    {
      causes: [{ reason: 'UnexpectedServerResponse', message: `${method} is not supported` }],
    },
  );
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format: ${contentType}`,
  );
}

export function notAcceptable(): ApiError {
  return new ApiError(
    406,
    'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io',
  );
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function internalError(err: unknown): ApiError {
  const text = err instanceof Error ? err.message : String(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`, {
    causes: [{ reason: 'UnexpectedServerResponse', message: text }],
  });
}
