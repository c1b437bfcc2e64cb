import { badRequest, expired } from '../http/errors.js';

// kube-apiserver's chunked lists: `limit=N` answers at most N items in key order with an opaque
// `metadata.continue` when more remain; sending it back as `continue` answers the next page, read at
// the first page's resourceVersion. The token is kube's shape (base64url of {v, rv, start}) plus the
// list it was issued for, so one replayed against another workspace, resource or namespace is refused
// instead of being read as a position in a list it never came from.

const TOKEN_VERSION = 'meta.k8s.io/v1';

export interface ContinueToken {
  /** The resourceVersion every page of the list is read at. */
  rv: number;
  /** The key of the last item already sent; the next page starts after it. */
  start: string[];
}

/** `limit` and `continue` as a request sent them. */
export interface PageRequest {
  limit: number;
  continue?: string;
}

export interface ListPaging {
  /** Items per page; Infinity for the rest of the list (a `continue` without `limit`). */
  limit: number;
  token?: ContinueToken;
}

/** What a page's ListMeta says beyond its resourceVersion. */
export interface PageMeta {
  continue?: string;
  remainingItemCount?: number;
}

export interface ListMeta extends PageMeta {
  resourceVersion: string;
}

function invalidToken(why: string) {
  return badRequest(`invalid continue token: continue key is not valid${why ? `: ${why}` : ''}`);
}

export function tooOldToContinue() {
  return expired(
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
  );
}

export function encodeContinue(list: string, token: ContinueToken): string {
  const body = { v: TOKEN_VERSION, rv: token.rv, start: token.start.join('/'), list };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * The token a request sent, checked against the list it asks for (`list`), the key length of that
 * list and the newest resourceVersion the server has made.
 */
export function decodeContinue(
  value: string,
  expected: { list: string; keyLength: number; newestRv: number },
): ContinueToken {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+=*$/.test(value)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidToken('');
  const { v, rv, start, list } = parsed as Record<string, unknown>;
  if (v !== TOKEN_VERSION) throw invalidToken('server does not recognize this encoded version');
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0 || rv > expected.newestRv)
    throw invalidToken(`incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  const parts = typeof start === 'string' ? start.split('/') : [];
  if (parts.length !== expected.keyLength || parts.at(-1) === '')
    throw invalidToken(`encoded start key empty (version ${TOKEN_VERSION})`);
  if (list !== expected.list) throw invalidToken('it was issued for a different list');
  return { rv, start: parts };
}

/**
 * The paging of a request for `expected.list`: its token checked, and the resourceVersion every page
 * is read at (the token's, or the newest for a first page).
 */
export function startPaging(
  request: PageRequest,
  expected: { list: string; keyLength: number; newestRv: number },
): { rv: number; paging: ListPaging } {
  if (request.continue === undefined) return { rv: expected.newestRv, paging: { limit: request.limit } };
  const token = decodeContinue(request.continue, expected);
  return { rv: token.rv, paging: { limit: request.limit, token } };
}

/**
 * `limit` and `continue` from the query, or undefined for an ordinary list of everything. A
 * `continue` with a resourceVersion other than "" or "0" is refused, as kube-apiserver does.
 */
export function parseListPaging(query: URLSearchParams): PageRequest | undefined {
  const rawLimit = query.get('limit');
  let limit = Infinity;
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^-?\d+$/.test(rawLimit))
      throw badRequest(`limit must be a whole number, got ${JSON.stringify(rawLimit)}`);
    if (Number(rawLimit) > 0) limit = Number(rawLimit);
  }
  const token = query.get('continue') || undefined;
  if (token === undefined) return limit === Infinity ? undefined : { limit };
  const rv = query.get('resourceVersion');
  if (rv !== null && rv !== '' && rv !== '0')
    throw badRequest('specifying resource version is not allowed when using continue');
  return { limit, continue: token };
}

export function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

export interface Page<T> {
  items: T[];
  /** The last item's key, when more items follow it. */
  last?: string[];
  /** How many items follow the page, when counted. */
  remaining?: number;
}

/**
 * One page of a list that is already in memory: `items` sorted by `keyOf`, everything the list holds
 * (already filtered). For views computed on each read; stored collections page in the store.
 */
export function pageInMemory<T>(
  items: readonly T[],
  keyOf: (item: T) => string[],
  paging: ListPaging,
): Page<T> {
  const start = paging.token?.start;
  const first = start ? items.findIndex((item) => compareKeys(keyOf(item), start) > 0) : 0;
  const from = first < 0 ? items.length : first;
  const page = items.slice(from, from + paging.limit);
  const remaining = items.length - from - page.length;
  if (remaining <= 0) return { items: page };
  return { items: page, last: keyOf(page.at(-1) as T), remaining };
}
