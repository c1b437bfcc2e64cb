// Token lifetimes as people write them: `90s`, `30m`, `12h`, `7d`, or combinations such as `1h30m`.

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
};

const DURATION = /^(?:\d+[smhd])+$/;
const PART = /(\d+)([smhd])/g;

export class DurationError extends Error {}

/**
 * Milliseconds in a duration such as `1h30m`. Each unit may appear once, largest first, and the
 * total must be positive: a zero or unordered duration is more likely a typo than a wish.
 */
export function parseDuration(text: string): number {
  const problem = () =>
    new DurationError(
      `invalid duration ${JSON.stringify(text)}: use a number and a unit s, m, h or d, e.g. 90s, 30m, 12h, 7d or 1h30m`,
    );
  if (!DURATION.test(text)) throw problem();
  let total = 0;
  let previousUnit = Infinity;
  for (const [, amount = '', unit = ''] of text.matchAll(PART)) {
    const size = UNIT_MS[unit] ?? 0;
    if (size >= previousUnit) throw problem();
    previousUnit = size;
    total += Number(amount) * size;
  }
  if (total <= 0 || !Number.isSafeInteger(total)) throw problem();
  return total;
}
