import { RE2JS } from '@bufbuild/re2';
import type { FieldError } from '../../http/errors.js';

// The `pattern` of a schema is a tenant's or a provider's regular expression, matched against
// values other tenants' requests carry on the one event loop. JavaScript's RegExp backtracks
// (`^(a+)+$` against 30 a's and a '!' runs for minutes), so patterns are matched with RE2JS, a
// linear-time engine that speaks Go's RE2 syntax, which is what kube-apiserver compiles `pattern`
// with: a pattern means here what it means there, and one Go refuses is refused here too.

export interface CompiledPattern {
  /** Whether the pattern matches somewhere in `value` (Go's MatchString: unanchored). */
  test(value: string): boolean;
}

/**
 * The longest pattern compiled. RE2JS compiles in time quadratic in a pattern's length (30,000
 * characters took 4.4 s, a 3 MiB body's worth would take hours); real schemas' patterns are far
 * shorter. kube has no such limit: this is the platform's own, refused at creation.
 */
export const MAX_PATTERN_LENGTH = 4096;

/** The pattern compiled, or the reason RE2 cannot compile it (Go's wording: `error parsing regexp: …`). */
export function compilePattern(pattern: string): CompiledPattern | { error: string } {
  if (pattern.length > MAX_PATTERN_LENGTH) return { error: `longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    return { error: (err as Error).message };
  }
}

// A schema node is compiled once and kept as long as the node lives (schemas are cached with their
// CRD's served bundle), so no request compiles a pattern and dropped schemas take theirs along.
const bySchema = new WeakMap<object, CompiledPattern | null>();

/** The compiled `pattern` of `schema`, or null when it has none or it does not compile. */
export function schemaPattern(schema: { pattern?: string }): CompiledPattern | null {
  let compiled = bySchema.get(schema);
  if (compiled === undefined) {
    const result = schema.pattern === undefined ? null : compilePattern(schema.pattern);
    compiled = result && 'error' in result ? null : result;
    bySchema.set(schema, compiled);
  }
  return compiled;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every `pattern` in `schema` (found at `path`) that RE2 cannot compile, as kube-apiserver refuses
 * it: `<path>.properties[x].pattern: Invalid value: "(?<=a)b": must be a valid regular expression,
 * but isn't: error parsing regexp: …`.
 */
export function patternErrors(schema: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (node: Json, at: string) => {
    if (typeof node.pattern === 'string' && node.pattern.length > MAX_PATTERN_LENGTH) {
      errors.push({
        type: 'Forbidden',
        field: `${at}.pattern`,
        detail: `must be no more than ${MAX_PATTERN_LENGTH} characters`,
      });
    } else if (typeof node.pattern === 'string') {
      const result = compilePattern(node.pattern);
      if ('error' in result)
        errors.push({
          type: 'Invalid',
          field: `${at}.pattern`,
          value: node.pattern,
          detail: `must be a valid regular expression, but isn't: ${result.error}`,
        });
    }
    if (isObject(node.properties))
      for (const [key, child] of Object.entries(node.properties))
        if (isObject(child)) visit(child, `${at}.properties[${key}]`);
    if (isObject(node.items)) visit(node.items, `${at}.items`);
    if (isObject(node.additionalProperties)) visit(node.additionalProperties, `${at}.additionalProperties`);
  };
  visit(schema, path);
  return errors;
}
