import { randomInt } from 'node:crypto';

const BASE36 = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new logical cluster name: 16 lower-case base36 characters, unguessable and path-safe. */
export function newLogicalClusterId(): string {
  let id = '';
  for (let i = 0; i < 16; i++) id += BASE36.charAt(randomInt(BASE36.length));
  return id;
}
