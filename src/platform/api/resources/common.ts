import type { KubeObject } from '../object.js';
import type { TableColumn } from '../registry.js';
import { age } from '../table/age.js';

export const STANDARD_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is represented in RFC3339 form and is in UTC.',
};

export function ageCell(object: KubeObject, now: Date): string {
  return age(object.metadata.creationTimestamp, now);
}

export function countKeys(value: unknown): number {
  return typeof value === 'object' && value !== null ? Object.keys(value).length : 0;
}
