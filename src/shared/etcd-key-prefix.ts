// What an etcd key prefix may be: checked where a platform opens its keys and where storage.json is read.

/** Segments a prefix may not contain: another store's prefix would then sit inside this one's objects or meta. */
const INNER_SEGMENTS = new Set(['objects', 'meta']);
const PREFIX_SYNTAX = /^\/(?:[A-Za-z0-9._-]+\/)+$/;

/** Why `prefix` cannot be a key prefix, or undefined when it can. */
export function keyPrefixProblem(prefix: string): string | undefined {
  if (!PREFIX_SYNTAX.test(prefix))
    return `key prefix ${JSON.stringify(prefix)} must look like /name/ or /a/b/ (letters, digits, . _ -), starting and ending with /`;
  const inner = prefix.split('/').find((segment) => INNER_SEGMENTS.has(segment));
  if (inner !== undefined)
    return `key prefix ${JSON.stringify(prefix)} may not contain a segment named ${inner}: it would overlap another platform's keys`;
  return undefined;
}
