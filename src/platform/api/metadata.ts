import { randomInt, randomUUID } from 'node:crypto';
import { nowTimestamp, type KubeObject } from './object.js';

/** Fields the server owns; a client can neither set them on create nor change them later. */
export function stampNewObject(object: KubeObject, now: Date = new Date()): void {
  const meta = object.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp(now);
  meta.generation = 1;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

export function carrySystemMetadata(object: KubeObject, old: KubeObject): void {
  const meta = object.metadata;
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  meta.generation = old.metadata.generation;
  delete meta.selfLink;
  if (old.metadata.deletionTimestamp !== undefined) meta.deletionTimestamp = old.metadata.deletionTimestamp;
  else delete meta.deletionTimestamp;
}

// apiserver's SimpleNameGenerator: no vowels (no accidental words), no confusable characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_PREFIX = 58;

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET.charAt(randomInt(ALPHABET.length));
  return prefix.slice(0, MAX_GENERATED_PREFIX) + suffix;
}
