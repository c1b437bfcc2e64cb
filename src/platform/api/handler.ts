import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  decodeObjectBody,
  parseJson,
  parseJsonBody,
  parseYamlBody,
  readBody,
  type DecodedBody,
} from '../http/body.js';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notAcceptable,
  pathNotFound,
  unsupportedMediaType,
} from '../http/errors.js';
import { contentTypeOf, negotiateObjectFormat } from '../http/negotiate.js';
import { writeJson } from '../http/respond.js';
import type { ResourceRoute } from '../http/routes.js';
import { identityKey } from '../auth/user.js';
import type { WatchRegistry } from '../http/watch-registry.js';
import { streamWatch } from '../http/watch-stream.js';
import { parseListPaging } from './list-paging.js';
import { isPlainObject, type KubeObject } from './object.js';
import { listPage } from './paged-list.js';
import { decodeEnvelope } from './protobuf/messages.js';
import { ProtobufError } from './protobuf/wire.js';
import type { ResourceDefinition, SubresourceAction, SubresourceView } from './registry.js';
import { parseIncludeObject, renderList, renderObject, watchEncoder } from './representation.js';
import {
  patchObject,
  type DeleteOptions,
  type FieldValidation,
  type PatchType,
  type RequestScope,
  type ResourceService,
  type WriteOptions,
} from './resource-service.js';
import { parseObjectFilter, type ObjectFilter } from './selectors/object-filter.js';
import type { WatchEvent } from './watch-event.js';
import { openWatch, type WatchConsent } from './watch.js';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  route: ResourceRoute;
  def: ResourceDefinition;
  scope: RequestScope;
  /** Set when the caller reads here by someone's revocable consent (an export's view): watches end with it. */
  consent?: WatchConsent;
}

/**
 * `?watch`, `?watch=true`, `?watch=1`, anything but `0` or `false`, as the apiserver reads the bool.
 * Authorization and the handler both ask this one function, so they never disagree on the verb.
 */
export function isWatch(route: ResourceRoute, query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return route.watchPrefix || (watch !== null && watch !== '0' && watch.toLowerCase() !== 'false');
}

/** The RBAC verb of a resource request. */
export function resourceVerb(method: string, route: ResourceRoute, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (route.name !== undefined) return isWatch(route, query) ? 'watch' : 'get';
      return isWatch(route, query) ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name !== undefined ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function fieldValidation(query: URLSearchParams): FieldValidation | undefined {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return undefined;
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(
    `fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(value)}`,
  );
}

/**
 * Who a write is recorded as in managedFields: `?fieldManager`, else the client's User-Agent up to
 * its first slash (kubectl's typed clients send `kubectl/v1.32...`), as kube-apiserver names it.
 */
function fieldManager(query: URLSearchParams, userAgent: string | undefined): string {
  const given = query.get('fieldManager');
  if (given !== null && given !== '') {
    if (given.length > 128) throw badRequest('fieldManager must be at most 128 characters long');
    return given;
  }
  return (userAgent ?? '').split('/')[0]!.slice(0, 128) || 'unknown';
}

/** PatchOptions as kube-apiserver validates them: apply names its manager, only apply forces. */
function refuseBadPatchOptions(type: PatchType, query: URLSearchParams): void {
  const problems: { reason: string; field: string; message: string }[] = [];
  if (type === 'apply' && !query.get('fieldManager')) {
    problems.push({
      reason: 'FieldValueRequired',
      field: 'fieldManager',
      message: 'Required value: is required for apply patch',
    });
  }
  if (type !== 'apply' && query.has('force')) {
    problems.push({
      reason: 'FieldValueForbidden',
      field: 'force',
      message: 'Forbidden: may not be specified for non-apply patch',
    });
  }
  if (problems.length === 0) return;
  const list = problems.map((p) => `${p.field}: ${p.message}`).join(', ');
  throw new ApiError(
    422,
    'Invalid',
    `PatchOptions.meta.k8s.io "" is invalid: ${problems.length > 1 ? `[${list}]` : list}`,
    {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: problems,
    },
  );
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values)
    if (value !== 'All') throw badRequest(`unsupported dry run option ${JSON.stringify(value)}`);
  return values.length > 0;
}

/**
 * A patch body: apply configurations are YAML, JSON patches are operation lists, and merge patches are
 * objects whose duplicate keys fieldValidation reports, as for a whole object.
 */
function decodePatch(type: PatchType, text: string, options: WriteOptions): unknown {
  if (type === 'apply') return parseYamlBody(text);
  if (type === 'json') return parseJson(text);
  const { value, duplicateFields } = parseJsonBody(text);
  options.duplicateFields = duplicateFields;
  return value;
}

const writeVerbs = new Set(['create', 'update', 'patch', 'delete']);

/** The frames of `events`, made one at a time as they are taken. */
function* framesOf(events: Iterable<WatchEvent>, frame: (event: WatchEvent) => unknown): Iterable<unknown> {
  for (const event of events) yield frame(event);
}

/**
 * The one HTTP handler behind every resource path. It checks the request's shape against the
 * resource definition, calls the ResourceService, and renders the result in the negotiated format.
 */
export class ResourceHandler {
  constructor(
    private readonly service: ResourceService,
    private readonly watches: WatchRegistry,
  ) {}

  async handle(request: ResourceRequest): Promise<void> {
    const { req, route, def } = request;
    const method = req.method ?? 'GET';
    if (def.scope === 'Cluster' && route.namespace !== undefined) throw pathNotFound();
    if (def.scope === 'Namespaced' && route.name !== undefined && route.namespace === undefined)
      throw pathNotFound();
    if (route.subresource !== undefined && !def.subresources.includes(route.subresource))
      throw pathNotFound();
    const verb = resourceVerb(method, route, request.query);
    if (!def.verbs.includes(verb)) throw methodNotAllowed(method);
    // A write answers with the object in the negotiated format: refuse an Accept we cannot serve before
    // anything is stored, not after.
    if (writeVerbs.has(verb)) this.format(request);
    const view = route.subresource !== undefined ? def.views?.[route.subresource] : undefined;
    if (view) return this.viewRequest(request, view, verb);
    const action = route.subresource !== undefined ? def.actions?.[route.subresource] : undefined;
    if (action) return this.actionRequest(request, action, verb);

    switch (verb) {
      case 'get':
        return this.get(request);
      case 'list':
        return this.list(request);
      case 'watch':
        return this.watch(request);
      case 'create':
        return this.create(request);
      case 'update':
        return this.update(request);
      case 'patch':
        return this.patch(request);
      case 'delete':
        return this.delete(request);
      default:
        throw methodNotAllowed(method);
    }
  }

  /** A subresource shown as its own kind: derived from the object on read, merged into it on write. */
  private async viewRequest(request: ResourceRequest, view: SubresourceView, verb: string): Promise<void> {
    const { def, scope, query } = request;
    const name = request.route.name ?? '';
    const render = (object: KubeObject) => {
      const { format, include } = this.format(request);
      const rendered = renderObject(view.definition, view.fromObject(object), format, include);
      writeJson(request.res, 200, rendered.body, rendered.contentType);
    };
    if (verb === 'get') return render(this.service.get(def, scope, name));
    if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed(request.req.method ?? 'GET');
    const options: WriteOptions = { dryRun: dryRun(query) };
    const body = await readBody(request.req);
    let changed: unknown;
    if (verb === 'update') {
      changed = decodeObjectBody(request.req.headers['content-type'], body).value;
    } else {
      const type = PATCH_TYPES[contentTypeOf(request.req.headers['content-type'])];
      if (!type) throw unsupportedMediaType(contentTypeOf(request.req.headers['content-type']));
      const patch = decodePatch(type, body.toString('utf8'), options);
      const current = view.fromObject(this.service.get(def, scope, name));
      // An apply configuration of a view holds only the fields it sets, as a merge patch does.
      changed = patchObject(view.definition, type === 'apply' ? 'merge' : type, current, patch);
    }
    const result = await this.service.patch(def, scope, name, 'merge', view.toPatch(name, changed), options);
    render(result.object);
  }

  /** A create on an action subresource: the parent must exist; the answer is computed, never stored. */
  private async actionRequest(
    request: ResourceRequest,
    action: SubresourceAction,
    verb: string,
  ): Promise<void> {
    if (verb !== 'create') throw methodNotAllowed(request.req.method ?? 'GET');
    // An action's answer is its effect (a minted token): there is nothing a dry run could leave out.
    if (dryRun(request.query)) throw badRequest(`dry run is not supported for ${request.route.subresource}`);
    const parent = this.service.get(request.def, request.scope, request.route.name ?? '');
    const { value: body } = this.decode({ ...request, def: action.definition }, await readBody(request.req));
    const answer = await action.create(request.scope, parent, body);
    const { format, include } = this.format(request);
    const rendered = renderObject(action.definition, answer, format, include);
    writeJson(request.res, 201, rendered.body, rendered.contentType);
  }

  private format(request: ResourceRequest) {
    const format = negotiateObjectFormat(request.req.headers.accept);
    if (!format) throw notAcceptable();
    return { format, include: parseIncludeObject(request.query.get('includeObject')) };
  }

  private get(request: ResourceRequest): void {
    this.refuseStaleRead(request);
    const { format, include } = this.format(request);
    const object = this.service.get(request.def, request.scope, request.route.name ?? '');
    const rendered = renderObject(request.def, object, format, include);
    writeJson(request.res, 200, rendered.body, rendered.contentType);
  }

  /**
   * A read of the current state (no resourceVersion, as kubectl sends) must not answer older data as
   * current: on etcd, a replica that cannot reach a quorum says 503 instead.
   */
  private refuseStaleRead(request: ResourceRequest): void {
    const rv = request.query.get('resourceVersion');
    if (rv === null || rv === '') this.service.store.ensureCurrent();
  }

  private list(request: ResourceRequest): void {
    this.refuseStaleRead(request);
    const { format, include } = this.format(request);
    const filter = parseObjectFilter(
      request.def,
      request.query.get('labelSelector'),
      request.query.get('fieldSelector'),
    );
    const paging = parseListPaging(request.query);
    const { items, metadata } = paging
      ? listPage(this.service, request.def, request.scope, filter, paging)
      : this.wholeList(request, filter);
    const rendered = renderList(request.def, items, metadata, format, include);
    writeJson(request.res, 200, rendered.body, rendered.contentType);
  }

  private wholeList(request: ResourceRequest, filter: ObjectFilter) {
    const { items, resourceVersion } = this.service.list(request.def, request.scope, filter);
    return { items, metadata: { resourceVersion } };
  }

  private watch(request: ResourceRequest): void {
    const { query, def, route } = request;
    const { format, include } = this.format(request);
    let fieldSelector = query.get('fieldSelector');
    // A watch on an item path is a watch of the collection narrowed to that name.
    if (route.name !== undefined) {
      fieldSelector = [fieldSelector, `metadata.name=${route.name}`].filter(Boolean).join(',');
    }
    const filter = parseObjectFilter(def, query.get('labelSelector'), fieldSelector);
    const resourceVersion = query.get('resourceVersion') ?? undefined;
    if (resourceVersion !== undefined && !/^\d*$/.test(resourceVersion)) {
      throw badRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
    }
    const timeout = query.get('timeoutSeconds');
    const timeoutSeconds = timeout !== null && /^\d+$/.test(timeout) ? Number(timeout) : undefined;
    const encode = watchEncoder(def, format, include);
    const { scope, consent } = request;
    const frame = (event: WatchEvent) => encode(event.type, event.object);
    streamWatch(
      request.res,
      { timeoutSeconds, registry: this.watches, owner: identityKey(scope.user) },
      (write, end, replay) =>
        openWatch(
          this.service,
          { def, scope, filter, resourceVersion, ...(consent ? { consent } : {}) },
          (event) => write(frame(event)),
          end,
          (events) => replay(framesOf(events, frame)),
        ),
    );
  }

  private writeOptions(request: ResourceRequest): WriteOptions {
    const options: WriteOptions = { dryRun: dryRun(request.query), warnings: [] };
    const validation = fieldValidation(request.query);
    if (validation) options.fieldValidation = validation;
    if (request.route.subresource) options.subresource = request.route.subresource;
    options.fieldManager = fieldManager(request.query, request.req.headers['user-agent']);
    options.force = request.query.get('force') === 'true';
    return options;
  }

  private respond(
    request: ResourceRequest,
    code: number,
    object: Parameters<typeof renderObject>[1],
    warnings: string[] = [],
  ) {
    const { format, include } = this.format(request);
    const rendered = renderObject(request.def, object, format, include);
    writeJson(request.res, code, rendered.body, rendered.contentType, warnings);
  }

  private decode(request: ResourceRequest, body: Buffer): DecodedBody {
    const message = request.def.protobuf;
    const protobuf = message
      ? (raw: Buffer) => {
          try {
            return decodeEnvelope(raw, message);
          } catch (err) {
            if (err instanceof ProtobufError)
              throw badRequest(`the body of the request could not be decoded as protobuf: ${err.message}`);
            throw err;
          }
        }
      : undefined;
    return decodeObjectBody(request.req.headers['content-type'], body, protobuf);
  }

  private async create(request: ResourceRequest): Promise<void> {
    if (request.route.subresource !== undefined || request.route.name !== undefined)
      throw methodNotAllowed('POST');
    if (request.def.scope === 'Namespaced' && request.route.namespace === undefined)
      throw methodNotAllowed('POST');
    const options = this.writeOptions(request);
    const { value: body, duplicateFields } = this.decode(request, await readBody(request.req));
    // A review is answered, not stored.
    if (request.def.review) return this.respond(request, 201, request.def.review(request.scope, body));
    options.duplicateFields = duplicateFields;
    const created = await this.service.create(request.def, request.scope, body, options);
    this.respond(request, 201, created, options.warnings);
  }

  private async update(request: ResourceRequest): Promise<void> {
    const options = this.writeOptions(request);
    const { value: body, duplicateFields } = this.decode(request, await readBody(request.req));
    options.duplicateFields = duplicateFields;
    const updated = await this.service.update(
      request.def,
      request.scope,
      request.route.name ?? '',
      body,
      options,
    );
    this.respond(request, 200, updated, options.warnings);
  }

  private async patch(request: ResourceRequest): Promise<void> {
    const contentType = contentTypeOf(request.req.headers['content-type']);
    // Custom resources have no patch strategies to merge by, so the apiserver refuses strategic
    // merge for them; kubectl then sends a merge patch.
    const accepted = Object.keys(PATCH_TYPES).filter(
      (media) => !(request.def.customResource && PATCH_TYPES[media] === 'strategic'),
    );
    const type = accepted.includes(contentType) ? PATCH_TYPES[contentType] : undefined;
    if (!type) {
      throw unsupportedMediaType(`${contentType} - accepted media types include: ${accepted.join(', ')}`);
    }
    const options = this.writeOptions(request);
    refuseBadPatchOptions(type, request.query);
    const text = (await readBody(request.req)).toString('utf8');
    if (text.trim() === '') throw badRequest('the request body is empty');
    const patch = decodePatch(type, text, options);
    const result = await this.service.patch(
      request.def,
      request.scope,
      request.route.name ?? '',
      type,
      patch,
      options,
    );
    this.respond(request, result.created ? 201 : 200, result.object, options.warnings);
  }

  /**
   * `/scale`: the object seen and written as an autoscaling/v1 Scale. A write sets the spec's
   * replicas through the main resource, so everything else (status included) stays as stored.
   */
  private async delete(request: ResourceRequest): Promise<void> {
    if (request.route.subresource !== undefined) throw methodNotAllowed('DELETE');
    const text = (await readBody(request.req)).toString('utf8');
    const options: DeleteOptions = { dryRun: dryRun(request.query) };
    if (text.trim() !== '') {
      const body = parseJson(text);
      if (isPlainObject(body)) {
        if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) options.dryRun = true;
        if (isPlainObject(body.preconditions))
          options.preconditions = body.preconditions as DeleteOptions['preconditions'];
      }
    }
    const deleted = await this.service.delete(request.def, request.scope, request.route.name ?? '', options);
    this.respond(request, 200, deleted);
  }
}
