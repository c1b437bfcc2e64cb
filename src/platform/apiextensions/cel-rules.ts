import { celEnv, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { isPlainObject } from '../api/object.js';
import { ownValue } from '../api/own-keys.js';
import type { FieldError } from '../http/errors.js';
import { estimateExprCost, type Expr } from './cel-cost.js';
import { PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET, shapeOf, type Shapes } from './cel-runtime-cost.js';

// x-kubernetes-validations, evaluated with @bufbuild/cel (Buf's CEL for ECMAScript): each rule sees
// its node's value as `self` and, for transition rules on an update, the stored value as `oldSelf`
// (a rule naming oldSelf is skipped on create, as kube-apiserver does). Supported: CEL's standard
// macros and operators and the strings extension. Not supported: Kubernetes' own CEL libraries
// (quantity, url, ip, cidr, format, lists' sets helpers, regex `find`), messageExpression,
// optionalOldSelf, fieldPath and reason; a rule that needs them fails to compile, and the CRD is
// refused with that error rather than served with a rule that would never run.

type Json = Record<string, unknown>;
type Evaluate = ReturnType<typeof plan>;

interface CompiledRule {
  rule: string;
  expr: Expr;
  message: string;
  evaluate: Evaluate;
  transition: boolean;
}

interface RuleNode {
  rules: CompiledRule[];
  properties: Map<string, RuleNode>;
  items?: RuleNode;
  additional?: RuleNode;
  /** The node's schema, to read integers as CEL ints. */
  schema: Json;
}

let env: CelEnv | undefined;
const celEnvironment = () => (env ??= celEnv({ funcs: strings }));

/** A rule that does not compile, with the schema path where it sits. */
export interface RuleCompileError {
  path: string;
  index: number;
  rule: string;
  message: string;
}

function compileNode(schema: Json, path: string, errors: RuleCompileError[]): RuleNode | undefined {
  const node: RuleNode = { rules: [], properties: new Map(), schema };
  const raw = schema['x-kubernetes-validations'];
  if (Array.isArray(raw)) {
    raw.forEach((entry, index) => {
      if (!isPlainObject(entry) || typeof entry.rule !== 'string') return;
      try {
        const parsed = parse(entry.rule);
        const evaluate = plan(celEnvironment(), parsed);
        node.rules.push({
          rule: entry.rule,
          expr: parsed.expr,
          message:
            typeof entry.message === 'string' && entry.message ? entry.message : `failed rule: ${entry.rule}`,
          evaluate,
          transition: /\boldSelf\b/.test(entry.rule),
        });
      } catch (err) {
        errors.push({ path, index, rule: entry.rule, message: (err as Error).message });
      }
    });
  }
  let found = node.rules.length > 0;
  if (isPlainObject(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const compiled = isPlainObject(child)
        ? compileNode(child, `${path}.properties[${key}]`, errors)
        : undefined;
      if (compiled) {
        node.properties.set(key, compiled);
        found = true;
      }
    }
  }
  if (isPlainObject(schema.items)) {
    node.items = compileNode(schema.items, `${path}.items`, errors);
    found ||= node.items !== undefined;
  }
  if (isPlainObject(schema.additionalProperties)) {
    node.additional = compileNode(schema.additionalProperties, `${path}.additionalProperties`, errors);
    found ||= node.additional !== undefined;
  }
  return found ? node : undefined;
}

/** The schema's rules compiled once; undefined when it has none. */
export function compileRules(
  schema: Json,
  path = '',
): { rules: RuleNode | undefined; errors: RuleCompileError[] } {
  const errors: RuleCompileError[] = [];
  return { rules: compileNode(schema, path, errors), errors };
}

/**
 * Conversions made during one object's validation, by value and schema: a rule's `self` is part of
 * its parent rule's `self`, so converting afresh per rule cost depth × size (seconds for a 2 MB
 * object with a cheap rule on each of 90 levels); with this, each value is converted once.
 */
type Conversions = Map<object, Map<Json | undefined, unknown>>;

/** One object's validation: its conversions, its shapes and what is left of its cost budget. */
interface Run {
  conversions: Conversions;
  shapes: Shapes;
  budget: number;
}

const OUT_OF_BUDGET =
  'validation failed due to running out of cost budget, no further validation rules will be run';

/** JSON as CEL sees it: objects are maps, integers of integer fields are ints (bigint). */
function toCel(value: unknown, schema: Json | undefined, done: Conversions): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number')
      return BigInt(value);
    return value;
  }
  let bySchema = done.get(value);
  if (bySchema?.has(schema)) return bySchema.get(schema);
  let converted: unknown = value;
  if (Array.isArray(value)) {
    const items = isPlainObject(schema?.items) ? schema.items : undefined;
    converted = value.map((item) => toCel(item, items, done));
  } else if (isPlainObject(value)) {
    const properties = isPlainObject(schema?.properties) ? schema.properties : undefined;
    const additional = isPlainObject(schema?.additionalProperties) ? schema.additionalProperties : undefined;
    converted = new Map(
      Object.entries(value).map(([key, item]) => {
        const child = ownValue(properties, key);
        return [key, toCel(item, isPlainObject(child) ? child : additional, done)];
      }),
    );
  }
  if (!bySchema) done.set(value, (bySchema = new Map()));
  bySchema.set(schema, converted);
  return converted;
}

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

function walk(
  node: RuleNode,
  value: unknown,
  old: unknown,
  path: string,
  errors: FieldError[],
  run: Run,
): void {
  if (value === undefined || value === null || run.budget < 0) return;
  const done = run.conversions;
  for (const rule of node.rules) {
    if (rule.transition && (old === undefined || old === null)) continue;
    const field = path || '<root>';
    // Charged before it runs: the most this evaluation can cost given the value's actual sizes.
    const cost = estimateExprCost(rule.expr, shapeOf(value, node.schema, run.shapes));
    // kube cancels an evaluation at the per-call limit, having spent that much of the budget.
    run.budget -= Math.min(cost, PER_CALL_LIMIT);
    if (run.budget < 0) {
      errors.push({ type: 'Invalid', field, value: node.schema.type ?? '', detail: OUT_OF_BUDGET });
      return;
    }
    if (cost > PER_CALL_LIMIT) {
      errors.push({
        type: 'Invalid',
        field,
        value: node.schema.type ?? '',
        detail: `call cost exceeds limit for rule: ${rule.rule}`,
      });
      continue;
    }
    const bindings: Record<string, unknown> = { self: toCel(value, node.schema, done) };
    if (rule.transition) bindings.oldSelf = toCel(old, node.schema, done);
    const result = rule.evaluate(bindings as never);
    if (result === true) continue;
    const detail = isCelError(result) ? `${rule.message}: ${result.message}` : rule.message;
    errors.push({ type: 'Invalid', field, value, detail });
  }
  if (isPlainObject(value)) {
    for (const [key, sub] of node.properties)
      walk(
        sub,
        ownValue(value, key),
        isPlainObject(old) ? ownValue(old, key) : undefined,
        child(path, key),
        errors,
        run,
      );
    if (node.additional)
      for (const [key, item] of Object.entries(value))
        if (!node.properties.has(key))
          walk(
            node.additional,
            item,
            isPlainObject(old) ? ownValue(old, key) : undefined,
            child(path, key),
            errors,
            run,
          );
  } else if (Array.isArray(value) && node.items) {
    // Transition rules on list items compare by position only where the list keeps its order.
    value.forEach((item, i) =>
      walk(node.items!, item, Array.isArray(old) ? old[i] : undefined, `${path}[${i}]`, errors, run),
    );
  }
}

/** Violations of the compiled rules by `value` (and `old`, for transition rules on an update). */
export function evaluateRules(rules: RuleNode, value: unknown, old: unknown, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  walk(rules, value, old, path, errors, {
    conversions: new Map(),
    shapes: new Map(),
    budget: RUNTIME_CEL_COST_BUDGET,
  });
  return errors;
}
