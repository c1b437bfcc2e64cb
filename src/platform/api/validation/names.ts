// Name validators with apimachinery's wording (validation.IsDNS1123Subdomain / IsDNS1123Label), so
// kubectl users see the messages they know.

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`;
const LABEL = new RegExp(`^${LABEL_FMT}$`);
const SUBDOMAIN = new RegExp(`^${SUBDOMAIN_FMT}$`);

export function dnsSubdomainName(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 253) errors.push('must be no more than 253 characters');
  if (!SUBDOMAIN.test(name)) {
    errors.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_FMT}')`,
    );
  }
  return errors;
}

export function dnsLabelName(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 63) errors.push('must be no more than 63 characters');
  if (!LABEL.test(name)) {
    errors.push(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL_FMT}')`,
    );
  }
  return errors;
}

const WORKSPACE_NAME = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';

/** kcp validates workspace names through the CRD schema, hence the OpenAPI-style wording. */
export function workspaceName(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 63) errors.push('metadata.name in body should be at most 63 chars long');
  if (!new RegExp(WORKSPACE_NAME).test(name))
    errors.push(`metadata.name in body should match '${WORKSPACE_NAME}'`);
  return errors;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Label keys: an optional DNS-subdomain prefix and a qualified name of at most 63 characters. */
export function labelKeyErrors(key: string): string[] {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errors: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || dnsSubdomainName(prefix).length > 0)) {
    errors.push('prefix part must be a lowercase RFC 1123 subdomain');
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and be at most 63 characters",
    );
  }
  return errors;
}

export function labelValueErrors(value: string): string[] {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return [];
  return [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') and be at most 63 characters",
  ];
}

/** RBAC object names (path.IsValidPathSegmentName): anything that is a single URL path segment. */
export function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errors: string[] = [];
  if (name.includes('/')) errors.push("may not contain '/'");
  if (name.includes('%')) errors.push("may not contain '%'");
  return errors;
}
