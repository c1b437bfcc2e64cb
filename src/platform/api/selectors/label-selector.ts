import { labelKeyErrors, labelValueErrors } from '../validation/names.js';

// Label selectors with the grammar of k8s.io/apimachinery/pkg/labels: comma-separated requirements
// `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (a,b)`, `key notin (a,b)`, `key>1`, `key<1`.

export type Operator = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export class SelectorParseError extends Error {}

type Token = { kind: 'id'; text: string } | { kind: 'op'; text: string } | { kind: 'end' };

const OPERATORS = ['==', '!=', '=', '!', '(', ')', ',', '<', '>'];

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const op = OPERATORS.find((candidate) => input.startsWith(candidate, i));
    if (op) {
      tokens.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    let end = i;
    while (end < input.length && !/[\s!=,()<>]/.test(input.charAt(end))) end++;
    tokens.push({ kind: 'id', text: input.slice(i, end) });
    i = end;
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at] ?? { kind: 'end' };
  }

  private next(): Token {
    const token = this.peek();
    this.at++;
    return token;
  }

  private identifier(what: string): string {
    const token = this.next();
    if (token.kind !== 'id') throw new SelectorParseError(`found '${describe(token)}', expected: ${what}`);
    return token.text;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    if (this.peek().kind === 'end') return requirements;
    for (;;) {
      requirements.push(this.requirement());
      const token = this.next();
      if (token.kind === 'end') return requirements;
      if (token.kind !== 'op' || token.text !== ',') {
        throw new SelectorParseError(`found '${describe(token)}', expected: ',' or 'end of string'`);
      }
    }
  }

  private requirement(): Requirement {
    const first = this.peek();
    if (first.kind === 'op' && first.text === '!') {
      this.next();
      const key = checkKey(this.identifier('identifier'));
      return { key, operator: 'notexists', values: [] };
    }
    const key = checkKey(this.identifier('identifier'));
    const token = this.peek();
    if (token.kind === 'end' || (token.kind === 'op' && token.text === ',')) {
      return { key, operator: 'exists', values: [] };
    }
    this.next();
    if (token.kind === 'id' && (token.text === 'in' || token.text === 'notin')) {
      return { key, operator: token.text, values: this.valueSet() };
    }
    if (token.kind === 'op' && ['=', '==', '!='].includes(token.text)) {
      return { key, operator: token.text === '!=' ? '!=' : '=', values: [this.singleValue()] };
    }
    if (token.kind === 'op' && (token.text === '<' || token.text === '>')) {
      const value = this.identifier('integer value');
      if (!/^-?\d+$/.test(value))
        throw new SelectorParseError(`for 'gt', 'lt' operators, the value must be an integer`);
      return { key, operator: token.text === '>' ? 'gt' : 'lt', values: [value] };
    }
    throw new SelectorParseError(`found '${describe(token)}', expected: in, notin, =, ==, !=, gt, lt`);
  }

  /** A value after `=` may be empty (`env=`). */
  private singleValue(): string {
    const token = this.peek();
    if (token.kind === 'end' || (token.kind === 'op' && token.text === ',')) return '';
    return checkValue(this.identifier('identifier'));
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== 'op' || open.text !== '(')
      throw new SelectorParseError(`found '${describe(open)}', expected: '('`);
    const values: string[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'id') {
        values.push(checkValue(token.text));
        this.next();
      } else if (token.kind === 'op' && (token.text === ',' || token.text === ')')) {
        // An empty element stands for the empty value, as in `env in (,prod)`.
        const previous = this.tokens[this.at - 1];
        if (previous?.kind === 'op' && (previous.text === '(' || previous.text === ',')) values.push('');
      } else {
        throw new SelectorParseError(`found '${describe(token)}', expected: ',', ')' or identifier`);
      }
      const sep = this.next();
      if (sep.kind === 'op' && sep.text === ')') return values;
      if (sep.kind !== 'op' || sep.text !== ',') {
        throw new SelectorParseError(`found '${describe(sep)}', expected: ',' or ')'`);
      }
    }
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? '' : token.text;
}

function checkKey(key: string): string {
  const errors = labelKeyErrors(key);
  if (errors.length > 0) throw new SelectorParseError(`key: Invalid value: "${key}": ${errors.join('; ')}`);
  return key;
}

function checkValue(value: string): string {
  const errors = labelValueErrors(value);
  if (errors.length > 0)
    throw new SelectorParseError(`values[0]: Invalid value: "${value}": ${errors.join('; ')}`);
  return value;
}

export function parseLabelSelector(input: string): Requirement[] {
  try {
    return new Parser(tokenize(input)).parse();
  } catch (err) {
    if (err instanceof SelectorParseError) {
      throw new SelectorParseError(`unable to parse requirement: ${err.message}`);
    }
    throw err;
  }
}

export function matchesLabels(
  requirements: Requirement[],
  labels: Record<string, string> | undefined,
): boolean {
  return requirements.every((req) => matchesRequirement(req, labels ?? {}));
}

function matchesRequirement(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case '=':
    case 'in':
      return has && req.values.includes(value ?? '');
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value ?? '');
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value ?? '')) return false;
      const left = Number(value);
      const right = Number(req.values[0]);
      return req.operator === 'gt' ? left > right : left < right;
    }
  }
}
