import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { newSigningKey, signWith, startTestIssuer, type TestIssuer } from '../helpers/jwt-issuer.js';
import { kplane } from './helpers/cli.js';
import { eventually } from './helpers/wait.js';
import {
  kubectl,
  platformTool,
  rawRequest,
  startPlatformProcess,
  tokenKubeconfig,
  type PlatformProcess,
} from './helpers/platform.js';

// The platform's JWT authenticators seen from outside: raw HTTPS requests and the real kubectl, against
// the real platform started with `--authentication-config`, and a small issuer (OpenID configuration
// and JWKS over HTTPS) that can mint the bad tokens a real provider never would.

const AUDIENCE = 'kplane';
const HOME = '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~';

let issuer: TestIssuer;
let platform: PlatformProcess;
let ca: Buffer;
let dir: string;

function authenticationConfig(issuerUrl: string, caPem: string): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1beta1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: { url: issuerUrl, audiences: [AUDIENCE], certificateAuthority: caPem },
        claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }],
        claimMappings: {
          username: { claim: 'email', prefix: 'oidc:' },
          groups: { claim: 'groups', prefix: 'oidc:' },
        },
      },
    ],
  });
}

const now = () => Math.floor(Date.now() / 1000);
const alice = {
  sub: 'alice-1',
  email: 'alice@example.com',
  groups: ['developers'],
  aud: AUDIENCE,
  hd: 'example.com',
};

beforeAll(async () => {
  issuer = await startTestIssuer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-oidc-e2e-'));
  const configFile = path.join(dir, 'authentication.yaml');
  writeFileSync(configFile, authenticationConfig(issuer.url, issuer.caPem));
  platform = await startPlatformProcess({ args: ['--authentication-config', configFile] });
  ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
});

afterAll(async () => {
  await platform?.stop();
  await issuer?.stop();
});

describe('the login discovery document', () => {
  it('is public over HTTPS and names the first issuer, its audience as client id, and its CA', async () => {
    const response = await rawRequest(platform.url, '/.well-known/kplane-login', { ca });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({
      issuer: issuer.url,
      clientId: AUDIENCE,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      certificateAuthority: issuer.caPem,
    });
  });

  it('is not served in clear text', async () => {
    const status = await new Promise<number>((resolve, reject) =>
      httpGet(`${platform.url.replace('https:', 'http:')}/.well-known/kplane-login`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(status).toBe(400);
  });

  it('answers 404 (a Status) on a platform that takes no JWTs', async () => {
    const plain = await startPlatformProcess();
    try {
      const response = await rawRequest(plain.url, '/.well-known/kplane-login', {
        ca: readFileSync(path.join(plain.dataDir, 'ca.crt')),
      });
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', code: 404 });
    } finally {
      await plain.stop();
    }
  });
});

describe('a valid ID token', () => {
  it('reaches the user’s home: kubectl works there, and whoami shows the mapped name and groups', async () => {
    const token = await issuer.sign({ ...alice });
    const home = await rawRequest(platform.url, HOME, { ca, token });
    expect(home.status).toBe(200);
    const homeUrl = (JSON.parse(home.body) as { spec: { URL: string } }).spec.URL;
    expect(homeUrl).toMatch(/\/clusters\/root:users:oidc-alice-example-com-[0-9a-f]{6}$/);

    const options = tokenKubeconfig(platform, dir, 'alice', homeUrl, token);
    const created = await kubectl(['create', 'configmap', 'hello', '--from-literal=a=b'], options);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const listed = await kubectl(['get', 'configmaps', '-o', 'name'], options);
    expect(listed.stdout).toContain('configmap/hello');

    const whoami = await kubectl(['auth', 'whoami', '-o', 'json'], options);
    expect(whoami.code).toBe(0);
    const userInfo = (JSON.parse(whoami.stdout) as { status: { userInfo: Record<string, unknown> } }).status
      .userInfo;
    expect(userInfo.username).toBe('oidc:alice@example.com');
    expect(userInfo.groups).toEqual(['oidc:developers', 'system:authenticated']);

    // RBAC as for anyone: the home is hers, the rest of the tree is not.
    const root = await rawRequest(platform.url, '/clusters/root/api/v1/namespaces', { ca, token });
    expect(root.status).toBe(403);
  });

  it('and the static tokens keep working beside it', async () => {
    const admin = readFileSync(path.join(platform.dataDir, 'admin.token'), 'utf8').trim();
    const response = await rawRequest(platform.url, '/clusters/root/api/v1/namespaces', { ca, token: admin });
    expect(response.status).toBe(200);
  });
});

describe('every refused token gets the same 401', () => {
  const refusals: [string, () => Promise<string>][] = [
    ['alg none', async () => new UnsecuredJWT({ ...alice, iss: issuer.url, exp: now() + 60 }).encode()],
    [
      'HS256 signed with the issuer’s public key as the secret',
      async () =>
        new SignJWT({ ...alice, iss: issuer.url, exp: now() + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.current().kid })
          .sign(
            Buffer.from(
              createPublicKey({ key: issuer.current().publicJwk, format: 'jwk' }).export({
                type: 'spki',
                format: 'pem',
              }),
            ),
          ),
    ],
    ['a wrong audience', () => issuer.sign({ ...alice, aud: 'another-app' })],
    ['an expired token', () => issuer.sign({ ...alice, exp: now() - 120 })],
    ['a not-yet-valid token', () => issuer.sign({ ...alice, nbf: now() + 300 })],
    ['an unknown issuer', () => issuer.sign({ ...alice, iss: 'https://127.0.0.1:1' })],
    [
      'a token signed by another issuer’s key',
      async () =>
        signWith(await newSigningKey(issuer.current().kid), { ...alice, iss: issuer.url, exp: now() + 60 }),
    ],
    ['a failing claim validation rule', () => issuer.sign({ ...alice, hd: 'gmail.com' })],
    ['a malformed token', async () => 'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln'],
  ];
  const refused: string[] = [];

  it.each(refusals)('%s', async (_, make) => {
    const token = await make();
    refused.push(token);
    const response = await rawRequest(platform.url, HOME, { ca, token });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('logs why on the server, never the token', () => {
    const log = platform.stderr();
    expect(log).toContain('JWT refused');
    expect(log).toMatch(/JWT refused: .*aud/);
    for (const token of refused) expect(log).not.toContain(token);
  });
});

describe('key rotation at the issuer', () => {
  it('a new key is taken up after a refetch and a removed key is refused', async () => {
    const before = await issuer.sign({ ...alice });
    expect((await rawRequest(platform.url, HOME, { ca, token: before })).status).toBe(200);
    const oldKey = issuer.current();
    const newKey = await issuer.rotate({ dropOld: true });
    // Unknown key ids refetch the JWKS at most every 10 s; a fresh token with the new key gets in by then.
    const status = await eventually(
      async () =>
        (
          await rawRequest(platform.url, HOME, {
            ca,
            token: await issuer.sign({ ...alice }, { key: newKey }),
          })
        ).status,
      (code) => code === 200,
      15_000,
    );
    expect(status).toBe(200);
    const withOldKey = await issuer.sign({ ...alice }, { key: oldKey });
    expect((await rawRequest(platform.url, HOME, { ca, token: withOldKey })).status).toBe(401);
  });
});

describe('a bad authentication configuration', () => {
  it('stops the platform from starting (exit 2), naming the field', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, authenticationConfig('http://issuer.example', issuer.caPem));
    const result = await platformTool([
      '--port',
      '0',
      '--data-dir',
      mkdtempSync(path.join(os.tmpdir(), 'kplane-oidc-bad-')),
      '--authentication-config',
      bad,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('jwt[0].issuer.url: must be an https URL');
  });

  it('makes `kplane dev up --authentication-config` fail with the usage exit code and the reason', async () => {
    const bad = path.join(dir, 'typo.yaml');
    writeFileSync(bad, authenticationConfig(issuer.url, issuer.caPem).replace('audiences:', 'audience:'));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-oidc-bad-'));
    const result = await kplane([
      'dev',
      'up',
      '--detach',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--authentication-config',
      bad,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('jwt[0].issuer.audience: unknown field');
  });
});
