import { InvalidInputError } from './errors.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Go-style durations (`500ms`, `30s`, `1h30m`, `7d`) in milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new InvalidInputError(`invalid ${flag} "${text}": use a duration like 30s, 2m or 1h30m`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * unitMs[unit!]!, 0);
}
