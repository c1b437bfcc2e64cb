import { MAX_MILLI_UNITS, parseQuantityMilli } from '../../placement/index.js';
import { isPlainObject } from '../api/object.js';
import type { FieldError } from '../http/errors.js';
import { at } from './object-paths.js';

// The checks kube-apiserver makes on the numbers of a pod template and its owner (pkg/apis/core/validation's
// ValidateResourceRequirements, apps' ValidateNonnegativeField): a member adds them up to admit by capacity,
// so a negative, unbounded or malformed quantity must never be stored.

/** The grammar's wording, as kube's decoder reports a quantity it cannot read. */
const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const MAX_INT32 = 2 ** 31 - 1;

/** A quantity's thousandths, or the error saying why it is not one a pod may ask for. */
function checkedQuantity(value: unknown, field: string): bigint | FieldError {
  const text = typeof value === 'number' ? String(value) : value;
  let milli: bigint;
  try {
    if (typeof text !== 'string') throw new TypeError('not a quantity');
    milli = parseQuantityMilli(text);
  } catch {
    return {
      type: 'Invalid',
      field,
      value,
      detail: `quantities must match the regular expression '${QUANTITY_PATTERN}'`,
    };
  }
  if (milli < 0n) return { type: 'Invalid', field, value, detail: 'must be greater than or equal to 0' };
  // Past int64 thousandths kube's own MilliValue saturates; no sum of such values means anything.
  if (milli >= MAX_MILLI_UNITS)
    return { type: 'Invalid', field, value, detail: `must be less than ${MAX_MILLI_UNITS}m` };
  return milli;
}

function quantitiesAt(resources: unknown, field: string, errors: FieldError[]): Map<string, bigint> {
  const quantities = new Map<string, bigint>();
  if (!isPlainObject(resources)) return quantities;
  for (const [name, value] of Object.entries(resources)) {
    const checked = checkedQuantity(value, `${field}[${name}]`);
    if (typeof checked === 'bigint') quantities.set(name, checked);
    else errors.push(checked);
  }
  return quantities;
}

/** Errors in a ResourceList (a Node's allocatable, a pod's overhead) at `field`: each quantity valid and ≥ 0. */
export function resourceListErrors(resources: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  quantitiesAt(resources, field, errors);
  return errors;
}

/** Errors in a container's `resources` at `field`: each quantity well formed, finite, ≥ 0, requests ≤ limits. */
export function resourceRequirementsErrors(resources: unknown, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const limits = quantitiesAt(at(resources, 'limits'), `${field}.limits`, errors);
  const requests = quantitiesAt(at(resources, 'requests'), `${field}.requests`, errors);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit === undefined || request <= limit) continue;
    errors.push({
      type: 'Invalid',
      field: `${field}.requests[${name}]`,
      value: at(resources, 'requests', name),
      detail: `must be less than or equal to ${name} limit of ${String(at(resources, 'limits', name))}`,
    });
  }
  return errors;
}

/** Errors in a replica count: an int32 ≥ 0, as the API types it. Unset is fine (it defaults). */
export function replicasErrors(replicas: unknown, field: string): FieldError[] {
  if (replicas === undefined || replicas === null) return [];
  const invalid = (detail: string): FieldError[] => [{ type: 'Invalid', field, value: replicas, detail }];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) return invalid('must be an integer');
  if (replicas < 0) return invalid('must be greater than or equal to 0');
  if (replicas > MAX_INT32) return invalid(`must be less than or equal to ${MAX_INT32}`);
  return [];
}
