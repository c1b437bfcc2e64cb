import { isPlainObject, type KubeObject } from '../api/object.js';
import type { TableColumn } from '../api/registry.js';
import { at, list, str } from './object-paths.js';

// Cells as kube-apiserver's printers (pkg/printers/internalversion) render them, for the columns
// more than one kind shares.

export const column = (name: string, description: string, extra: Partial<TableColumn> = {}): TableColumn => ({
  name,
  type: 'string',
  description,
  ...extra,
});

export const WIDE_POD_TEMPLATE_COLUMNS: TableColumn[] = [
  column('Containers', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'Images referenced by each container in the template.', { priority: 1 }),
];
export const WIDE_SELECTOR_COLUMN = column('Selector', 'Label selector for the pods.', { priority: 1 });

/** `a,b`: the template's container names and images, as printers' layoutContainerCells. */
export function containerCells(template: unknown): [string, string] {
  const containers = list(at(template, 'spec', 'containers')).filter(isPlainObject);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

/** A LabelSelector in the text form kubectl shows (`app=web,tier in (a,b)`), `<none>` when empty. */
export function selectorText(selector: unknown): string {
  const parts: string[] = [];
  const labels = at(selector, 'matchLabels');
  if (isPlainObject(labels))
    for (const key of Object.keys(labels).sort()) parts.push(`${key}=${str(labels[key])}`);
  for (const expression of list(at(selector, 'matchExpressions')).filter(isPlainObject)) {
    const key = str(expression.key);
    const values = list(expression.values).map(str).sort().join(',');
    switch (expression.operator) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
    }
  }
  return parts.length > 0 ? parts.join(',') : '<none>';
}

/** `k=v,…` of a plain string map, `<none>` when empty (Service selectors, node selectors). */
export function mapText(map: unknown): string {
  if (!isPlainObject(map) || Object.keys(map).length === 0) return '<none>';
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${str(map[key])}`)
    .join(',');
}

export function statusOf(object: KubeObject): unknown {
  return object.status;
}
