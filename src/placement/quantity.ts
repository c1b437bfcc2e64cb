// Kubernetes resource quantities (apimachinery resource.Quantity) as plain numbers: `cpu` in cores, `memory`
// in bytes. Float precision is enough here: the scheduler only compares and normalises them, as OCM does with
// Quantity.AsApproximateFloat64.

export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
  constructor(readonly input: string) {
    super(
      `invalid quantity ${JSON.stringify(input)}: expected a number with an optional suffix ` +
        '(m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent such as e3)',
    );
  }
}

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

const SUFFIX_FACTOR: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * `4` → 4, `500m` → 0.5, `16Gi` → 17179869184, `1.5` → 1.5, `2e3` → 2000, `1k` → 1000.
 * @throws QuantityParseError for anything Kubernetes would not accept as a quantity.
 */
export function parseQuantity(input: string): number {
  const match = QUANTITY.exec(input);
  if (match === null) throw new QuantityParseError(input);
  const base = Number(match[1]);
  if (match[2] !== undefined) return base * 10 ** Number(match[2].slice(1));
  if (match[3] !== undefined) return base * (SUFFIX_FACTOR[match[3]] as number);
  return base;
}

/** parseQuantity for data read from a cluster's status: undefined when absent or malformed, never a throw. */
export function tryParseQuantity(input: string | undefined): number | undefined {
  if (input === undefined) return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

/** The largest amount exact arithmetic counts in milli-units: int64's, as Quantity.MilliValue saturates. */
export const MAX_MILLI_UNITS = 2n ** 63n - 1n;

const DECIMAL_EXPONENT: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_EXPONENT: Readonly<Record<string, bigint>> = {
  Ki: 10n,
  Mi: 20n,
  Gi: 30n,
  Ti: 40n,
  Pi: 50n,
  Ei: 60n,
};

/**
 * A quantity exactly, in thousandths rounded up (`500m` → 500n, `1` → 1000n, `1Ki` → 1024000n), the unit the
 * scheduler counts cpu in. Never NaN or Infinity: beyond ±MAX_MILLI_UNITS the value saturates there, so
 * `1e999` is big but finite and a sum of such values stays a number.
 * @throws QuantityParseError for anything Kubernetes would not accept as a quantity.
 */
export function parseQuantityMilli(input: string): bigint {
  const match = QUANTITY.exec(input);
  if (match === null) throw new QuantityParseError(input);
  const [whole = '', fraction = ''] = match[1]!.replace(/^[+-]/, '').split('.');
  const negative = match[1]!.startsWith('-');
  const digits = BigInt(`${whole}${fraction}` || '0');
  const suffix = match[3];
  let exponent = 3 - fraction.length;
  if (match[2] !== undefined) exponent += Number(match[2].slice(1));
  else if (suffix !== undefined && suffix in DECIMAL_EXPONENT) exponent += DECIMAL_EXPONENT[suffix]!;
  const binary = suffix !== undefined && suffix in BINARY_EXPONENT ? BINARY_EXPONENT[suffix]! : 0n;
  let magnitude: bigint;
  if (digits === 0n) magnitude = 0n;
  // 10^40 is past int64 already whatever the digits; the bound keeps BigInt from growing with the exponent.
  else if (exponent > 40 || !Number.isFinite(exponent)) magnitude = MAX_MILLI_UNITS;
  else if (exponent >= 0) magnitude = (digits << binary) * 10n ** BigInt(exponent);
  else {
    const scaled = digits << binary;
    // A divisor with more digits than the dividend leaves a fraction of one, which rounds up to 1.
    if (-exponent > scaled.toString().length) magnitude = 1n;
    else {
      const divisor = 10n ** BigInt(-exponent);
      magnitude = (scaled + divisor - 1n) / divisor;
    }
  }
  if (magnitude > MAX_MILLI_UNITS) magnitude = MAX_MILLI_UNITS;
  return negative ? -magnitude : magnitude;
}
