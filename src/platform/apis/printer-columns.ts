import { isPlainObject, type KubeObject } from '../api/object.js';
import { ownValue } from '../api/own-keys.js';
import type { TableColumn } from '../api/registry.js';
import { age } from '../api/table/age.js';
import type { PrinterColumn } from './types.js';

// A schema's additionalPrinterColumns as Table columns and cells, evaluated the way the apiserver's
// custom resource table convertor does: a JSONPath per column (the simple subset CRDs use: fields,
// indexes, `*` and `[?(@.field=="value")]` filters), several results joined with commas.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; value: string };

const FILTER = /^\?\(@((?:\.[\w-]+)+)\s*==\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+))\)$/;

/** Parses `.status.conditions[?(@.type=="Ready")].status`; undefined when it is not in the subset. */
export function parseJsonPath(text: string): Step[] | undefined {
  let path = text.trim();
  if (path.startsWith('{') && path.endsWith('}')) path = path.slice(1, -1);
  if (path.startsWith('$')) path = path.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') {
      const match = /^[\w-]+/.exec(path.slice(i + 1));
      if (!match) return undefined;
      steps.push({ kind: 'field', name: match[0] });
      i += 1 + match[0].length;
    } else if (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) return undefined;
      const inner = path.slice(i + 1, end).trim();
      const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(inner);
      const filter = FILTER.exec(inner);
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (quoted) steps.push({ kind: 'field', name: quoted[1] ?? quoted[2] ?? '' });
      else if (filter)
        steps.push({
          kind: 'filter',
          path: filter[1]!.slice(1).split('.'),
          value: filter[2] ?? filter[3] ?? filter[4] ?? '',
        });
      else return undefined;
      i = end + 1;
    } else return undefined;
  }
  return steps;
}

function field(value: unknown, path: string[]): unknown {
  let current = value;
  for (const name of path) current = isPlainObject(current) ? ownValue(current, name) : undefined;
  return current;
}

export function jsonPathValues(object: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [object];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'field' && isPlainObject(value) && ownValue(value, step.name) !== undefined)
        next.push(value[step.name]);
      else if (step.kind === 'index' && Array.isArray(value) && step.index < value.length)
        next.push(value[step.index]);
      else if (step.kind === 'all' && Array.isArray(value)) next.push(...value);
      else if (step.kind === 'all' && isPlainObject(value)) next.push(...Object.values(value));
      else if (step.kind === 'filter' && Array.isArray(value))
        next.push(...value.filter((item) => String(field(item, step.path)) === step.value));
    }
    current = next;
  }
  return current;
}

function cellOf(column: PrinterColumn, values: unknown[], now: Date): unknown {
  if (values.length === 0) return column.type === 'integer' || column.type === 'number' ? null : '';
  const [first] = values;
  if (
    values.length === 1 &&
    (column.type === 'integer' || column.type === 'number') &&
    typeof first === 'number'
  )
    return first;
  if (values.length === 1 && column.type === 'boolean' && typeof first === 'boolean') return first;
  // kubectl prints cells verbatim, so dates go out as ages, the way its own printer shows them.
  if (values.length === 1 && column.type === 'date' && typeof first === 'string') return age(first, now);
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(',');
}

/** Table columns after Name and a function for the matching cells. */
export function printerColumns(columns: PrinterColumn[]): {
  columns: TableColumn[];
  cells(object: KubeObject, now: Date): unknown[];
} {
  const parsed = columns.map((column) => ({ column, steps: parseJsonPath(column.jsonPath) }));
  return {
    columns: columns.map((column) => ({
      name: column.name,
      // Dates are sent as ages (strings); the other OpenAPI types pass through.
      type:
        column.type === 'integer' || column.type === 'number' || column.type === 'boolean'
          ? column.type
          : 'string',
      description: column.description ?? '',
      ...(column.format && column.type !== 'date' ? { format: column.format } : {}),
      ...(column.priority ? { priority: column.priority } : {}),
    })),
    cells: (object, now) =>
      parsed.map(({ column, steps }) => cellOf(column, steps ? jsonPathValues(object, steps) : [], now)),
  };
}
