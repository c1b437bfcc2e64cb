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
