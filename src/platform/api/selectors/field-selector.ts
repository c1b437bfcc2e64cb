// Field selectors: `field=value`, `field==value`, `field!=value`, comma-separated, with `\` escaping
// (fields.ParseSelector). Which fields exist is up to the resource.

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export class FieldSelectorError extends Error {}

function splitUnescaped(input: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i);
    if (ch === '\\' && i + 1 < input.length) {
      current += ch + input.charAt(i + 1);
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

export function parseFieldSelector(input: string): FieldRequirement[] {
  if (input.trim() === '') return [];
  return splitUnescaped(input, ',').map((term) => {
    const match = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/s.exec(term.trim());
    if (!match?.[1] || !match[2])
      throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    return { field: match[1], operator: match[2] === '!=' ? '!=' : '=', value: unescape(match[3] ?? '') };
  });
}

/** `values` maps each supported field to the object's value; an unsupported field is an error. */
export function matchesFields(
  requirements: FieldRequirement[],
  values: (field: string) => string | undefined | null,
): boolean {
  return requirements.every((req) => {
    const actual = values(req.field) ?? '';
    return req.operator === '=' ? actual === req.value : actual !== req.value;
  });
}
