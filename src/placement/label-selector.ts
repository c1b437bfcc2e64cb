// Kubernetes label selectors: the string syntax users type (`--where`, kubectl `-l`; apimachinery
// labels.Parse) turned into a metav1.LabelSelector, evaluation against a cluster's labels with the keys that
// failed, and a formatter back to the string syntax. Pure: no I/O.
import type { LabelSelector, LabelSelectorOperator, LabelSelectorRequirement, Labels } from './types.js';

/** A selector string that cannot be parsed; `position` is the 0-based offset where the problem starts. */
export class LabelSelectorSyntaxError extends Error {
  override readonly name = 'LabelSelectorSyntaxError';
  constructor(
    readonly input: string,
    readonly position: number,
    readonly problem: string,
  ) {
    super(`invalid label selector ${JSON.stringify(input)}: ${problem} (at column ${position + 1})`);
  }
}

// --- validation of keys and values (apimachinery validation.IsQualifiedName / IsValidLabelValue) ---------

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0) return `label key ${JSON.stringify(key)} has an empty prefix before "/"`;
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      return `label key prefix ${JSON.stringify(prefix)} must be a DNS subdomain (lower case, digits, "-", ".")`;
  }
  if (name.length === 0) return `label key ${JSON.stringify(key)} has an empty name`;
  if (name.length > 63) return `label key name ${JSON.stringify(name)} is longer than 63 characters`;
  if (!NAME_PART.test(name))
    return `label key name ${JSON.stringify(name)} must start and end with a letter or digit and hold only letters, digits, "-", "_" and "."`;
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `label value ${JSON.stringify(value)} is longer than 63 characters`;
  if (!NAME_PART.test(value))
    return `label value ${JSON.stringify(value)} must start and end with a letter or digit and hold only letters, digits, "-", "_" and "."`;
  return undefined;
}

/**
 * Why a LabelSelector object (as found in a Placement or ManagedClusterSet) cannot be evaluated, or undefined.
 * Mirrors metav1.LabelSelectorAsSelector's checks: In/NotIn need values, Exists/DoesNotExist take none.
 */
export function labelSelectorProblem(selector: LabelSelector | undefined): string | undefined {
  if (selector === undefined) return undefined;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem !== undefined) return problem;
  }
  return requirementsProblem(selector.matchExpressions ?? []);
}

/** The same checks for the matchExpressions of a claimSelector (claim names follow label key rules). */
export function requirementsProblem(requirements: readonly LabelSelectorRequirement[]): string | undefined {
  for (const r of requirements) {
    const keyProblem = labelKeyProblem(r.key);
    if (keyProblem !== undefined) return keyProblem;
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return `${r.operator} on ${JSON.stringify(r.key)} needs at least one value`;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return `${r.operator} on ${JSON.stringify(r.key)} takes no values`;
        break;
      default:
        return `${JSON.stringify(r.operator as string)} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`;
    }
  }
  return undefined;
}

// --- evaluation ---------------------------------------------------------------------------------------------

/** The label's value, or undefined when absent (never an inherited property such as `constructor`). */
function labelValue(labels: Labels, key: string): string | undefined {
  return Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function requirementHolds(r: LabelSelectorRequirement, labels: Labels): boolean {
  const value = labelValue(labels, r.key);
  const has = value !== undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/**
 * Whether `labels` satisfy `selector`. As metav1.LabelSelectorAsSelector: an empty selector matches everything,
 * an absent one (undefined) matches nothing.
 */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  for (const key in selector.matchLabels) {
    if (labelValue(labels, key) !== selector.matchLabels[key]) return false;
  }
  for (const r of selector.matchExpressions ?? []) if (!requirementHolds(r, labels)) return false;
  return true;
}

/** Whether labels satisfy every requirement (the claimSelector form: expressions only, empty matches all). */
export function matchesRequirements(
  requirements: readonly LabelSelectorRequirement[],
  labels: Labels,
): boolean {
  for (const r of requirements) if (!requirementHolds(r, labels)) return false;
  return true;
}

/** One requirement a set of labels failed: which key, what was wanted (selector syntax), what was there. */
export interface LabelMismatch {
  key: string;
  wanted: string;
  /** The value the labels hold for `key`, or undefined when the key is absent. */
  actual: string | undefined;
}

/** Every requirement of `selector` that `labels` fail, in selector order (matchLabels sorted by key first). */
export function labelSelectorMismatches(selector: LabelSelector, labels: Labels): LabelMismatch[] {
  const mismatches: LabelMismatch[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) {
    const value = (selector.matchLabels as Record<string, string>)[key] as string;
    const actual = labelValue(labels, key);
    if (actual !== value) mismatches.push({ key, wanted: `${key}=${value}`, actual });
  }
  mismatches.push(...requirementMismatches(selector.matchExpressions ?? [], labels));
  return mismatches;
}

/** Every requirement that `labels` fail. */
export function requirementMismatches(
  requirements: readonly LabelSelectorRequirement[],
  labels: Labels,
): LabelMismatch[] {
  const mismatches: LabelMismatch[] = [];
  for (const r of requirements) {
    if (!requirementHolds(r, labels))
      mismatches.push({ key: r.key, wanted: formatRequirement(r), actual: labelValue(labels, r.key) });
  }
  return mismatches;
}

/** Every key the selectors name (matchLabels and matchExpressions), sorted, each once. */
export function labelSelectorKeys(selectors: ReadonlyArray<LabelSelector | undefined>): string[] {
  const keys = new Set<string>();
  for (const selector of selectors) {
    for (const key of Object.keys(selector?.matchLabels ?? {})) keys.add(key);
    for (const r of selector?.matchExpressions ?? []) keys.add(r.key);
  }
  return [...keys].sort();
}

// --- formatting ---------------------------------------------------------------------------------------------

/** A value list in parentheses; a lone empty value is `(,)` because `()` would not parse. */
function formatValues(values: readonly string[]): string {
  return values.length === 1 && values[0] === '' ? '(,)' : `(${values.join(',')})`;
}

function formatRequirement(r: LabelSelectorRequirement): string {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return `${r.key} in ${formatValues(values)}`;
    case 'NotIn':
      // `k!=v` parses to NotIn [v]; print it back the way it was most likely typed.
      return values.length === 1 ? `${r.key}!=${values[0]}` : `${r.key} notin ${formatValues(values)}`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

/**
 * The selector in string syntax: matchLabels sorted by key, then matchExpressions in order. An empty selector
 * (which matches everything) is the empty string; callers that display it may print "<none>" as kubectl does.
 * `parseLabelSelector(formatLabelSelector(s))` gives back an equivalent selector.
 */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort())
    parts.push(`${key}=${(selector.matchLabels as Record<string, string>)[key]}`);
  for (const r of selector.matchExpressions ?? []) parts.push(formatRequirement(r));
  return parts.join(',');
}

// --- parsing ------------------------------------------------------------------------------------------------

type TokenKind = 'word' | 'not' | 'eq' | 'deq' | 'neq' | 'open' | 'close' | 'comma' | 'gt' | 'lt' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  at: number;
}

const SYMBOLS: ReadonlyArray<[string, TokenKind]> = [
  ['!=', 'neq'],
  ['==', 'deq'],
  ['=', 'eq'],
  ['!', 'not'],
  ['(', 'open'],
  [')', 'close'],
  [',', 'comma'],
  ['>', 'gt'],
  ['<', 'lt'],
];

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isSymbolStart = (c: string): boolean => '!=(),<>'.includes(c);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const symbol = SYMBOLS.find(([text]) => input.startsWith(text, i));
    if (symbol !== undefined) {
      tokens.push({ kind: symbol[1], text: symbol[0], at: i });
      i += symbol[0].length;
      continue;
    }
    const start = i;
    while (i < input.length && !isSpace(input[i] as string) && !isSymbolStart(input[i] as string)) i++;
    tokens.push({ kind: 'word', text: input.slice(start, i), at: start });
  }
  tokens.push({ kind: 'end', text: '', at: input.length });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end' : JSON.stringify(token.text);
}

class Parser {
  private i = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  fail(at: number, problem: string): never {
    throw new LabelSelectorSyntaxError(this.input, at, problem);
  }

  private key(token: Token): string {
    if (token.kind !== 'word') this.fail(token.at, `expected a label key, found ${describe(token)}`);
    const problem = labelKeyProblem(token.text);
    if (problem !== undefined) this.fail(token.at, problem);
    return token.text;
  }

  private value(token: Token): string {
    const problem = labelValueProblem(token.text);
    if (problem !== undefined) this.fail(token.at, problem);
    return token.text;
  }

  /** A value after `=`, `==` or `!=`: a word, or nothing (the empty value) before `,` or the end. */
  private singleValue(operator: Token): string {
    const t = this.peek();
    if (t.kind === 'comma' || t.kind === 'end') return '';
    if (t.kind !== 'word')
      this.fail(t.at, `expected a value after ${JSON.stringify(operator.text)}, found ${describe(t)}`);
    return this.value(this.next());
  }

  /**
   * `( v1, v2, … )`. As in apimachinery, a value may be empty between commas (`(a,)`, `(,)`), repeats count
   * once, and `()` is an error because In and NotIn need a value.
   */
  private valueSet(keyword: Token, key: string): string[] {
    const open = this.next();
    if (open.kind !== 'open')
      this.fail(open.at, `expected "(" after ${JSON.stringify(keyword.text)}, found ${describe(open)}`);
    const first = this.peek();
    if (first.kind === 'close')
      this.fail(first.at, `"${keyword.text}" on ${JSON.stringify(key)} needs at least one value`);
    const values = new Set<string>();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'word') values.add(this.value(this.next()));
      else if (t.kind === 'comma' || t.kind === 'close') values.add('');
      else this.fail(t.at, `expected a value, found ${describe(t)}`);
      const after = this.next();
      if (after.kind === 'close') break;
      if (after.kind !== 'comma')
        this.fail(after.at, `expected "," or ")" after ${describe(t)}, found ${describe(after)}`);
    }
    return [...values];
  }

  /** One requirement, then a `,` or the end. */
  requirement(): { key: string; operator: LabelSelectorOperator | 'Equals'; values: string[] } {
    const first = this.next();
    if (first.kind === 'not') return { key: this.key(this.next()), operator: 'DoesNotExist', values: [] };
    const key = this.key(first);
    const op = this.next();
    switch (op.kind) {
      case 'end':
      case 'comma':
        this.i--;
        return { key, operator: 'Exists', values: [] };
      case 'eq':
      case 'deq':
        return { key, operator: 'Equals', values: [this.singleValue(op)] };
      case 'neq':
        return { key, operator: 'NotIn', values: [this.singleValue(op)] };
      case 'gt':
      case 'lt':
        return this.fail(
          op.at,
          `${JSON.stringify(op.text)} compares numbers, which a LabelSelector cannot express (use =, !=, in, notin, a bare key or !key)`,
        );
      case 'word':
        if (op.text === 'in') return { key, operator: 'In', values: this.valueSet(op, key) };
        if (op.text === 'notin') return { key, operator: 'NotIn', values: this.valueSet(op, key) };
    }
    return this.fail(
      op.at,
      `expected an operator after ${JSON.stringify(key)} (=, ==, !=, in, notin), found ${describe(op)}`,
    );
  }

  separatorOrEnd(): boolean {
    const t = this.next();
    if (t.kind === 'end') return false;
    if (t.kind !== 'comma') this.fail(t.at, `expected "," between requirements, found ${describe(t)}`);
    if (this.peek().kind === 'end') this.fail(this.peek().at, 'expected a requirement after ","');
    return true;
  }
}

/**
 * Parses the Kubernetes label-selector string syntax (`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
 * `k`, `!k`, comma-separated and ANDed) into a LabelSelector. `k=v` goes to matchLabels, everything else to
 * matchExpressions in the order typed (`k!=v` is NotIn [v], which like kubectl's `!=` also matches clusters
 * without the key). The empty string is the empty selector, which matches everything.
 * @throws LabelSelectorSyntaxError saying what is wrong and where.
 */
export function parseLabelSelector(input: string): LabelSelector {
  const parser = new Parser(input, tokenize(input));
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  if (input.trim() !== '') {
    do {
      const r = parser.requirement();
      if (r.operator === 'Equals') {
        const value = r.values[0] as string;
        // A second `k=v` for the same key cannot live in matchLabels; as an In it keeps the AND meaning.
        if (Object.hasOwn(matchLabels, r.key)) {
          if (matchLabels[r.key] !== value)
            matchExpressions.push({ key: r.key, operator: 'In', values: [value] });
        } else matchLabels[r.key] = value;
      } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
        matchExpressions.push({ key: r.key, operator: r.operator });
      } else {
        matchExpressions.push({ key: r.key, operator: r.operator, values: r.values });
      }
    } while (parser.separatorOrEnd());
  }
  const selector: LabelSelector = {};
  if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
  if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions;
  return selector;
}
