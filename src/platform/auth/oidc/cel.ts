import {
  celEnv,
  CelScalar,
  isCelError,
  isCelList,
  isCelMap,
  mapType,
  parse,
  plan,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

// CEL for the AuthenticationConfiguration, as kube-apiserver evaluates it: claim mappings and claim
// validation rules see the token's payload as `claims`, user validation rules see the mapped user
// as `user`. Expressions are parsed and planned once, when the configuration is loaded.

export type CelVariable = 'claims' | 'user';

/** A value as JSON would hold it: what a mapping or rule produced, turned back from CEL's types. */
export type PlainValue =
  string | number | boolean | null | bigint | PlainValue[] | { [key: string]: PlainValue };

/** Evaluates with the variable bound to `value` (the claims, or the user). */
export type CompiledExpression = (value: object) => PlainValue;

export class CelExpressionError extends Error {}

const environments = {
  claims: celEnv({ variables: { claims: mapType(CelScalar.STRING, CelScalar.DYN) }, funcs: strings }),
  user: celEnv({ variables: { user: mapType(CelScalar.STRING, CelScalar.DYN) }, funcs: strings }),
};

/**
 * Parses and plans `source` over one variable. A syntax error throws CelExpressionError now; an
 * evaluation error (a missing claim, a type mismatch) throws it when the expression runs.
 */
export function compileExpression(source: string, variable: CelVariable): CompiledExpression {
  let evaluate: (ctx: Record<string, unknown>) => unknown;
  try {
    evaluate = plan(environments[variable], parse(source)) as (ctx: Record<string, unknown>) => unknown;
  } catch (err) {
    throw new CelExpressionError((err as Error).message);
  }
  return (value) => {
    const result = evaluate({ [variable]: toCelMap(value) }) as CelValue;
    if (isCelError(result)) throw new CelExpressionError(result.message);
    return fromCel(result);
  };
}

/** A plain object as a CEL map; a Map keeps `__proto__` and friends plain data. */
function toCelMap(value: object): Map<string, unknown> {
  return new Map(Object.entries(value));
}

function fromCel(value: unknown): PlainValue {
  if (isCelList(value)) return [...value].map(fromCel);
  if (isCelMap(value)) {
    const out: Record<string, PlainValue> = Object.create(null) as Record<string, PlainValue>;
    for (const [key, item] of value.entries()) out[String(key)] = fromCel(item);
    return out;
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint' ||
    value === null
  )
    return value;
  throw new CelExpressionError(`an expression produced a value of an unsupported type`);
}
