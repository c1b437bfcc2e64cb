// Keys a client chose are data, never a path to a prototype (DESIGN §4.7). In JavaScript `obj[key]`
// follows the prototype chain, so `constructor`, `__proto__` or `toString` answer with the runtime's own
// objects, and `obj[key] = value` with the key `__proto__` replaces the object's prototype (or, reached
// through `{}.__proto__`, changes Object.prototype for the whole server). Every walk over keys that came
// from a request (patches, schemas, selectors, protobuf maps, RBAC names) reads and writes through these.

/** Whether `key` is a property of `record` itself, not one it inherits. */
export function hasOwn(record: object, key: string): boolean {
  return Object.hasOwn(record, key);
}

/** `record[key]` when `record` holds `key` itself; undefined for inherited names such as `constructor`. */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `record[key] = value` that makes `__proto__` an ordinary property instead of the prototype. */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    record[key] = value;
  }
}
