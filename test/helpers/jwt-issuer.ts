import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { issuePlatformCertificates } from '../../src/shared/tls/certificates.js';

// A minimal OpenID issuer for tests that need tokens a real provider would never mint (expired, wrong
// audience, signed by a stranger's key, HS256 with the public key as secret): its OpenID configuration
// and JWKS over HTTPS on 127.0.0.1, and a signer. Its keys can be rotated.

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIssuer {
  url: string;
  caPem: string;
  /** The key that signs by default (the newest). */
  current(): SigningKey;
  /** A new key becomes current; the JWKS then publishes the new key and, unless dropOld, the old ones. */
  rotate(options?: { dropOld?: boolean }): Promise<SigningKey>;
  /** Signs `claims` (iss, iat, exp filled in unless given) with `key` (the current one by default). */
  sign(claims: JWTPayload, options?: { key?: SigningKey; header?: Record<string, unknown> }): Promise<string>;
  /** How many times the JWKS was fetched. */
  jwksRequests(): number;
  stop(): Promise<void>;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export async function signWith(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header })
    .sign(key.privateKey);
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const certificates = issuePlatformCertificates();
  let keys = [await newSigningKey('key-1')];
  let served = 0;
  let minted = 1;
  let url = '';
  const server: Server = createServer(
    { cert: certificates.server.certificatePem, key: certificates.server.keyPem },
    (req, res) => {
      const send = (body: unknown) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/.well-known/openid-configuration') send({ issuer: url, jwks_uri: `${url}/jwks` });
      else if (req.url === '/jwks') {
        served += 1;
        send({ keys: keys.map((key) => key.publicJwk) });
      } else {
        res.writeHead(404);
        res.end();
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const current = () => keys[keys.length - 1] as SigningKey;
  return {
    url,
    caPem: certificates.ca.certificatePem,
    current,
    rotate: async ({ dropOld = false } = {}) => {
      minted += 1;
      const key = await newSigningKey(`key-${minted}`);
      keys = dropOld ? [key] : [...keys, key];
      return key;
    },
    sign: (claims, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return signWith(
        options.key ?? current(),
        { iss: url, iat: now, exp: now + 600, ...claims },
        options.header,
      );
    },
    jwksRequests: () => served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
