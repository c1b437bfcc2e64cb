import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CelExpressionError, compileExpression, type CelVariable, type CompiledExpression } from './cel.js';

// Kubernetes' structured authentication configuration (`--authentication-config`, kind
// AuthenticationConfiguration, apiserver.config.k8s.io/v1beta1 or v1), the `jwt` part. It is checked
// as kube-apiserver checks it, strictly: an unknown field is a typo that would otherwise silently
// weaken authentication, so it is an error naming the field.

export const AUTHENTICATION_CONFIG_API_VERSIONS = [
  'apiserver.config.k8s.io/v1beta1',
  'apiserver.config.k8s.io/v1',
];

export class AuthenticationConfigError extends Error {}

/** A value taken from one claim (with a prefix), or computed by a CEL expression over `claims`. */
export type ClaimSource =
  | { claim: string; prefix: string; expression?: undefined }
  | { expression: CompiledExpression; claim?: undefined };

export type ClaimValidationRule =
  { claim: string; requiredValue: string } | { expression: CompiledExpression; message: string };

export interface UserValidationRule {
  expression: CompiledExpression;
  message: string;
}

export interface JwtAuthenticatorConfig {
  issuer: {
    url: string;
    /** Where the OpenID configuration is, when not below `url`. */
    discoveryURL?: string;
    audiences: string[];
    /** PEM: the CAs that may sign the issuer's serving certificate (the system's when absent). */
    certificateAuthority?: string;
  };
  claimValidationRules: ClaimValidationRule[];
  claimMappings: {
    username: ClaimSource;
    groups?: ClaimSource;
    uid?: ClaimSource;
    extra: { key: string; valueExpression: CompiledExpression }[];
  };
  userValidationRules: UserValidationRule[];
}

export interface AuthenticationConfig {
  jwt: JwtAuthenticatorConfig[];
}

/** Reads and checks the file; AuthenticationConfigError says what is wrong and where. */
export function loadAuthenticationConfig(file: string): AuthenticationConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AuthenticationConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new AuthenticationConfigError(`${file} is not YAML or JSON: ${(err as Error).message}`);
  }
  return parseAuthenticationConfig(document);
}

type Fields = Record<string, unknown>;

function fail(field: string, problem: string): never {
  throw new AuthenticationConfigError(`${field}: ${problem}`);
}

function object(value: unknown, field: string, allowed: string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(field ? `${field}.${key}` : key, 'unknown field');
  }
  return value as Fields;
}

function list(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(field, 'must be a list');
  return value;
}

function text(value: unknown, field: string, { required = true, empty = false } = {}): string | undefined {
  if (value === undefined || value === null) {
    if (required) fail(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') fail(field, 'must be a string');
  if (!empty && value === '') fail(field, 'must not be empty');
  return value;
}

function requiredText(value: unknown, field: string, empty = false): string {
  return text(value, field, { empty }) as string;
}

function expression(value: unknown, field: string, variable: CelVariable): CompiledExpression {
  const source = requiredText(value, field);
  try {
    return compileExpression(source, variable);
  } catch (err) {
    if (err instanceof CelExpressionError) fail(field, `not a valid CEL expression: ${err.message}`);
    throw err;
  }
}

function httpsUrl(value: unknown, field: string): string {
  const raw = requiredText(value, field);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(field, `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:') fail(field, 'must be an https URL');
  if (url.username || url.password || url.search || url.hash)
    fail(field, 'must not carry a user, a query or a fragment');
  return raw;
}

export function parseAuthenticationConfig(document: unknown): AuthenticationConfig {
  const top = object(document, '', ['apiVersion', 'kind', 'jwt']);
  const apiVersion = text(top.apiVersion, 'apiVersion');
  if (!AUTHENTICATION_CONFIG_API_VERSIONS.includes(apiVersion ?? ''))
    fail('apiVersion', `must be one of ${AUTHENTICATION_CONFIG_API_VERSIONS.join(', ')}`);
  if (top.kind !== 'AuthenticationConfiguration') fail('kind', 'must be AuthenticationConfiguration');
  const jwt = list(top.jwt, 'jwt').map((entry, i) => jwtAuthenticator(entry, `jwt[${i}]`));
  const seen = new Set<string>();
  jwt.forEach((authenticator, i) => {
    if (seen.has(authenticator.issuer.url))
      fail(`jwt[${i}].issuer.url`, 'another authenticator has this issuer');
    seen.add(authenticator.issuer.url);
  });
  return { jwt };
}

function jwtAuthenticator(value: unknown, field: string): JwtAuthenticatorConfig {
  const entry = object(value, field, [
    'issuer',
    'claimValidationRules',
    'claimMappings',
    'userValidationRules',
  ]);
  const mappings = object(
    entry.claimMappings ?? fail(`${field}.claimMappings`, 'is required'),
    `${field}.claimMappings`,
    ['username', 'groups', 'uid', 'extra'],
  );
  const claimMappings: JwtAuthenticatorConfig['claimMappings'] = {
    username: claimSource(
      mappings.username ?? fail(`${field}.claimMappings.username`, 'is required'),
      `${field}.claimMappings.username`,
      true,
    ),
    extra: list(mappings.extra, `${field}.claimMappings.extra`).map((item, i) =>
      extraMapping(item, `${field}.claimMappings.extra[${i}]`),
    ),
  };
  if (mappings.groups !== undefined && mappings.groups !== null)
    claimMappings.groups = claimSource(mappings.groups, `${field}.claimMappings.groups`, true);
  if (mappings.uid !== undefined && mappings.uid !== null)
    claimMappings.uid = claimSource(mappings.uid, `${field}.claimMappings.uid`, false);
  return {
    issuer: issuer(entry.issuer ?? fail(`${field}.issuer`, 'is required'), `${field}.issuer`),
    claimValidationRules: list(entry.claimValidationRules, `${field}.claimValidationRules`).map((rule, i) =>
      claimValidationRule(rule, `${field}.claimValidationRules[${i}]`),
    ),
    claimMappings,
    userValidationRules: list(entry.userValidationRules, `${field}.userValidationRules`).map((rule, i) => {
      const fields = object(rule, `${field}.userValidationRules[${i}]`, ['expression', 'message']);
      return {
        expression: expression(fields.expression, `${field}.userValidationRules[${i}].expression`, 'user'),
        message:
          text(fields.message, `${field}.userValidationRules[${i}].message`, { required: false }) ?? '',
      };
    }),
  };
}

function issuer(value: unknown, field: string): JwtAuthenticatorConfig['issuer'] {
  const fields = object(value, field, [
    'url',
    'discoveryURL',
    'audiences',
    'audienceMatchPolicy',
    'certificateAuthority',
  ]);
  const url = httpsUrl(fields.url, `${field}.url`);
  const audiences = list(fields.audiences, `${field}.audiences`).map((audience, i) =>
    requiredText(audience, `${field}.audiences[${i}]`),
  );
  if (audiences.length === 0) fail(`${field}.audiences`, 'must name at least one audience');
  if (new Set(audiences).size !== audiences.length) fail(`${field}.audiences`, 'must not repeat an audience');
  const policy = text(fields.audienceMatchPolicy, `${field}.audienceMatchPolicy`, { required: false });
  if (policy !== undefined && policy !== 'MatchAny') fail(`${field}.audienceMatchPolicy`, 'must be MatchAny');
  if (audiences.length > 1 && policy !== 'MatchAny')
    fail(`${field}.audienceMatchPolicy`, 'must be MatchAny when there are several audiences');
  const result: JwtAuthenticatorConfig['issuer'] = { url, audiences };
  if (fields.discoveryURL !== undefined && fields.discoveryURL !== null) {
    result.discoveryURL = httpsUrl(fields.discoveryURL, `${field}.discoveryURL`);
    if (result.discoveryURL === url)
      fail(`${field}.discoveryURL`, 'must differ from url (leave it out instead)');
  }
  const ca = text(fields.certificateAuthority, `${field}.certificateAuthority`, { required: false });
  if (ca !== undefined) {
    try {
      new X509Certificate(ca);
    } catch {
      fail(`${field}.certificateAuthority`, 'must be PEM-encoded certificates');
    }
    result.certificateAuthority = ca;
  }
  return result;
}

function claimSource(value: unknown, field: string, hasPrefix: boolean): ClaimSource {
  const fields = object(
    value,
    field,
    hasPrefix ? ['claim', 'prefix', 'expression'] : ['claim', 'expression'],
  );
  const hasClaim = fields.claim !== undefined && fields.claim !== null;
  const hasExpression = fields.expression !== undefined && fields.expression !== null;
  if (hasClaim === hasExpression) fail(field, 'set exactly one of claim or expression');
  if (hasExpression) {
    if (fields.prefix !== undefined && fields.prefix !== null)
      fail(`${field}.prefix`, 'may only be set with claim (an expression adds its own prefix)');
    return { expression: expression(fields.expression, `${field}.expression`, 'claims') };
  }
  const claim = requiredText(fields.claim, `${field}.claim`);
  // As kube-apiserver: the prefix must be stated (it may be ""), so nobody gets unprefixed names by accident.
  const prefix = hasPrefix ? requiredText(fields.prefix, `${field}.prefix`, true) : '';
  return { claim, prefix };
}

function claimValidationRule(value: unknown, field: string): ClaimValidationRule {
  const fields = object(value, field, ['claim', 'requiredValue', 'expression', 'message']);
  const hasClaim = fields.claim !== undefined && fields.claim !== null;
  const hasExpression = fields.expression !== undefined && fields.expression !== null;
  if (hasClaim === hasExpression) fail(field, 'set exactly one of claim or expression');
  if (hasClaim) {
    if (fields.message !== undefined) fail(`${field}.message`, 'may only be set with expression');
    return {
      claim: requiredText(fields.claim, `${field}.claim`),
      requiredValue: requiredText(fields.requiredValue, `${field}.requiredValue`, true),
    };
  }
  if (fields.requiredValue !== undefined) fail(`${field}.requiredValue`, 'may only be set with claim');
  return {
    expression: expression(fields.expression, `${field}.expression`, 'claims'),
    message: text(fields.message, `${field}.message`, { required: false }) ?? '',
  };
}

const EXTRA_KEY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[^\s]+$/;

function extraMapping(
  value: unknown,
  field: string,
): JwtAuthenticatorConfig['claimMappings']['extra'][number] {
  const fields = object(value, field, ['key', 'valueExpression']);
  const key = requiredText(fields.key, `${field}.key`);
  if (!EXTRA_KEY.test(key) || key !== key.toLowerCase())
    fail(`${field}.key`, 'must be a lower-case domain-prefixed path, e.g. example.org/team');
  return { key, valueExpression: expression(fields.valueExpression, `${field}.valueExpression`, 'claims') };
}
