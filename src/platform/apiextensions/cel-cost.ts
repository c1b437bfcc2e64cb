import { parse } from '@bufbuild/cel';
import { isPlainObject } from '../api/object.js';
import type { FieldError } from '../http/errors.js';

// kube-apiserver's static cost check of x-kubernetes-validations (apiextensions' CEL validation):
// every rule's worst-case cost is estimated at CRD creation from the bounds the schema declares
// (maxItems, maxProperties, maxLength), and a rule that could cost more than one call may is
// refused, as is a schema whose rules together (each times the number of times it can run, i.e.
// the bounds of the lists and maps it sits in) could cost more than one object may. Since CEL only
// ever sees objects that already met the schema's bounds and the 3 MiB body limit (which is what
// an unbounded list or string is estimated at), the estimate bounds the work any write can cause:
// no rule is ever evaluated with a cost the check did not accept.
//
// The model follows cel-go's estimator closely enough to refuse what kube refuses: each node
// costs 1, a comprehension costs its range's bound times its body, string functions cost a tenth
// of the string's maximum length.

type Json = Record<string, unknown>;
export type Expr = ReturnType<typeof parse>['expr'];

/** kube's per-rule limit (apiextensions' StaticEstimatedCostLimit, also PerCallLimit's order). */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
/** kube's limit for all of one schema's rules together (StaticEstimatedCRDCostLimit). */
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;
/** The request body limit, which is what kube bounds undeclared list, map and string sizes by. */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
/** cel-go charges a tenth of a unit per character a string function traverses. */
const STRING_TRAVERSAL_FACTOR = 0.1;
const STRING_FUNCTIONS = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'indexOf',
  'lastIndexOf',
  'lowerAscii',
  'upperAscii',
  'replace',
  'split',
  'substring',
  'trim',
  'charAt',
  'join',
]);

/** The fewest bytes one JSON value of this schema takes, plus its separator. */
function minSerializedSize(schema: Json | undefined): number {
  switch (schema?.type) {
    case 'string':
    case 'object':
    case 'array':
      return 3; // "" {} [] and a comma
    case 'boolean':
      return 5; // true and a comma
    default:
      return 2; // 0 and a comma
  }
}

/** The most elements a list or map of this schema can hold (declared, else what fits in a body). */
function maxElements(schema: Json | undefined): number {
  const declared = schema?.type === 'array' ? schema.maxItems : schema?.maxProperties;
  if (typeof declared === 'number') return declared;
  const element =
    schema?.type === 'array'
      ? schema.items
      : isPlainObject(schema?.additionalProperties)
        ? schema.additionalProperties
        : undefined;
  // A map entry also carries its key: "" and a colon.
  const entry =
    minSerializedSize(isPlainObject(element) ? element : undefined) + (schema?.type === 'array' ? 0 : 3);
  return Math.floor((MAX_REQUEST_BYTES - 2) / entry);
}

function maxLength(schema: Json | undefined): number {
  return typeof schema?.maxLength === 'number' ? schema.maxLength : MAX_REQUEST_BYTES - 2;
}

const STRING: Json = { type: 'string' };

interface Estimate {
  cost: number;
  /** The schema of the expression's value, where it is known. */
  schema?: Json;
}

function elementOf(schema: Json | undefined): Json | undefined {
  if (schema?.type === 'array') return isPlainObject(schema.items) ? schema.items : undefined;
  return STRING; // a comprehension over a map ranges over its keys
}

function fieldOf(schema: Json | undefined, field: string): Json | undefined {
  if (!schema) return undefined;
  const properties = isPlainObject(schema.properties) ? schema.properties : undefined;
  if (properties && Object.hasOwn(properties, field) && isPlainObject(properties[field]))
    return properties[field];
  return isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
}

function estimate(expr: Expr | undefined, scope: Map<string, Json | undefined>): Estimate {
  if (!expr) return { cost: 0 };
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr':
      // cel-go charges nothing here; a unit keeps a huge literal from being free to run often.
      return { cost: 1 };
    case 'identExpr':
      return { cost: 1, schema: scope.get(kind.value.name) };
    case 'selectExpr': {
      const operand = estimate(kind.value.operand, scope);
      return { cost: operand.cost + 1, schema: fieldOf(operand.schema, kind.value.field) };
    }
    case 'listExpr':
      return { cost: 10 + sum(kind.value.elements.map((e) => estimate(e, scope).cost)) };
    case 'structExpr':
      return {
        cost:
          30 +
          sum(
            kind.value.entries.map(
              (e) =>
                (e.keyKind.case === 'mapKey' ? estimate(e.keyKind.value, scope).cost : 0) +
                estimate(e.value, scope).cost,
            ),
          ),
      };
    case 'comprehensionExpr': {
      const c = kind.value;
      const range = estimate(c.iterRange, scope);
      const inner = new Map(scope);
      inner.set(c.iterVar, elementOf(range.schema));
      if (c.iterVar2)
        inner.set(c.iterVar2, range.schema?.type === 'array' ? undefined : fieldOf(range.schema, ''));
      inner.set(c.accuVar, undefined);
      const perElement = estimate(c.loopCondition, inner).cost + estimate(c.loopStep, inner).cost;
      const bound = maxElements(range.schema);
      const result = estimate(c.result, inner);
      // map() and filter() yield a list no longer than their range.
      const schema = result.schema ?? { type: 'array', maxItems: bound };
      return {
        cost: range.cost + estimate(c.accuInit, scope).cost + bound * perElement + result.cost,
        schema,
      };
    }
    case 'callExpr': {
      const call = kind.value;
      const target = call.target ? estimate(call.target, scope) : undefined;
      const args = call.args.map((arg) => estimate(arg, scope));
      let cost = 1 + (target?.cost ?? 0) + sum(args.map((a) => a.cost));
      if (call.function === '_?_:_') cost = 1 + args[0]!.cost + Math.max(args[1]!.cost, args[2]!.cost);
      const subject = target ?? args[0];
      if (STRING_FUNCTIONS.has(call.function) && subject)
        cost += Math.ceil(maxLength(subject.schema ?? STRING) * STRING_TRAVERSAL_FACTOR);
      if (call.function === '_[_]') return { cost, schema: indexOf(args[0]?.schema) };
      return { cost };
    }
    default:
      return { cost: 1 };
  }
}

function indexOf(schema: Json | undefined): Json | undefined {
  if (schema?.type === 'array') return isPlainObject(schema.items) ? schema.items : undefined;
  return fieldOf(schema, '');
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The worst-case cost of a parsed rule when `self` (and `oldSelf`) have the node's schema. */
export function estimateExprCost(expr: Expr, schema: Json): number {
  const scope = new Map<string, Json | undefined>([
    ['self', schema],
    ['oldSelf', schema],
  ]);
  return estimate(expr, scope).cost;
}

/** The worst-case cost of `rule` when `self` (and `oldSelf`) have the node's schema. */
export function estimateRuleCost(rule: string, schema: Json): number {
  return estimateExprCost(parse(rule).expr, schema);
}

/** kube's wording for a cost over its limit (apiextensions' getCostErrorMessage). */
function exceedsBudget(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const shown =
    factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${shown} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

interface RuleCost {
  field: string;
  cost: number;
  /** How many times the rule can run for one object (see cardinalityOf). */
  cardinality: number;
}

/** A list or map's declared bound, or undefined when it declares none. */
function declaredBound(schema: Json): number | undefined {
  const declared = schema.type === 'array' ? schema.maxItems : schema.maxProperties;
  return typeof declared === 'number' ? declared : undefined;
}

/**
 * How many times a node's rules can run for one object, as kube-apiserver counts it: the product of the
 * declared bounds of the lists and maps above it; but under any unbounded one, the most copies of the node
 * that fit in one request body (kube's MaxCardinality). Multiplying estimates of unbounded ancestors instead
 * would count a body many times over and refuse real CRDs that kube-apiserver accepts (OCM's ManifestWork).
 */
function cardinalityOf(node: Json, bounded: number | undefined): number {
  return bounded ?? Math.floor(MAX_REQUEST_BYTES / minSerializedSize(node));
}

function collect(schema: Json, path: string, bounded: number | undefined, found: RuleCost[]): void {
  const rules = schema['x-kubernetes-validations'];
  if (Array.isArray(rules))
    rules.forEach((entry, index) => {
      if (!isPlainObject(entry) || typeof entry.rule !== 'string') return;
      let cost: number;
      try {
        cost = estimateRuleCost(entry.rule, schema);
      } catch {
        return; // a rule that does not parse is reported as a compilation failure
      }
      const cardinality = cardinalityOf(schema, bounded);
      found.push({ field: `${path}.x-kubernetes-validations[${index}].rule`, cost, cardinality });
    });
  if (isPlainObject(schema.properties))
    for (const [key, child] of Object.entries(schema.properties))
      if (isPlainObject(child)) collect(child, `${path}.properties[${key}]`, bounded, found);
  const bound = declaredBound(schema);
  const below = bounded === undefined || bound === undefined ? undefined : bounded * bound;
  if (isPlainObject(schema.items)) collect(schema.items, `${path}.items`, below, found);
  if (isPlainObject(schema.additionalProperties))
    collect(schema.additionalProperties, `${path}.additionalProperties`, below, found);
}

/** The schema's rules kube would refuse as too costly, with its paths and texts. */
export function ruleCostErrors(schema: Json, path: string): FieldError[] {
  const rules: RuleCost[] = [];
  collect(schema, path, 1, rules);
  const errors: FieldError[] = rules
    .filter((r) => r.cost > STATIC_ESTIMATED_COST_LIMIT)
    .map((r) => ({
      type: 'Forbidden',
      field: r.field,
      detail: exceedsBudget('estimated rule cost', r.cost, STATIC_ESTIMATED_COST_LIMIT),
    }));
  const total = sum(rules.map((r) => r.cost * r.cardinality));
  if (total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const r of rules)
      if (r.cost * r.cardinality > 0)
        errors.push({
          type: 'Forbidden',
          field: r.field,
          detail:
            'contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema',
        });
    errors.push({
      type: 'Forbidden',
      field: path,
      detail: exceedsBudget(
        'x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema',
        total,
        STATIC_ESTIMATED_CRD_COST_LIMIT,
      ),
    });
  }
  return errors;
}
