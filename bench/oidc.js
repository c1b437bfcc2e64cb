#!/usr/bin/env node
// What a JWT costs the platform per request once the issuer's keys are cached: the time of one
// authentication (signature, claims, mappings, CEL) for RS256 (most providers' default) and ES256, against
// the static-token path (a sha256 and a lookup). Also the first token's cost, which includes discovery and the
// JWKS fetch, and a token seen within the last 10 s (answered from the verified-token cache). The issuer is a small OpenID configuration + JWKS server on 127.0.0.1 over HTTPS.
import { createServer } from 'node:https';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => import(path.join(repoRoot, 'dist', 'platform', file));
const { issuePlatformCertificates } = await import(
  path.join(repoRoot, 'dist', 'shared', 'tls', 'certificates.js')
);
const { parseAuthenticationConfig } = await dist('auth/oidc/config.js');
const { JwtAuthenticators } = await dist('auth/oidc/jwt-authenticator.js');

const iterations = Number(process.env.BENCH_ITERATIONS ?? 3000);

async function issuerWith(alg) {
  const certificates = issuePlatformCertificates();
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg, use: 'sig' };
  let url = '';
  const server = createServer(
    { cert: certificates.server.certificatePem, key: certificates.server.keyPem },
    (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
      else res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    },
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${server.address().port}`;
  const sign = (jti = 'j') =>
    new SignJWT({
      jti,
      iss: url,
      aud: 'kplane',
      sub: 'alice-1',
      email: 'alice@example.com',
      groups: ['developers', 'ops'],
      hd: 'example.com',
      exp: Math.floor(Date.now() / 1000) + 3600,
    })
      .setProtectedHeader({ alg, kid: 'k1' })
      .sign(privateKey);
  return { url, caPem: certificates.ca.certificatePem, sign, stop: () => server.close() };
}

function authenticatorsFor(issuer, withCel) {
  return new JwtAuthenticators(
    parseAuthenticationConfig({
      apiVersion: 'apiserver.config.k8s.io/v1beta1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: { url: issuer.url, audiences: ['kplane'], certificateAuthority: issuer.caPem },
          claimValidationRules: withCel
            ? [{ expression: "claims.hd == 'example.com'", message: 'company accounts' }]
            : [{ claim: 'hd', requiredValue: 'example.com' }],
          claimMappings: withCel
            ? { username: { expression: "'oidc:' + claims.email" }, groups: { expression: 'claims.groups' } }
            : { username: { claim: 'email', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' } },
        },
      ],
    }),
  );
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

const WARM_UP = 200;

async function measure(label, once) {
  for (let i = 0; i < WARM_UP; i++) await once(i); // warm up the JIT
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    await once(WARM_UP + i);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)}${`${percentile(samples, 0.5).toFixed(1)} µs`.padStart(12)}${`${percentile(samples, 0.99).toFixed(1)} µs`.padStart(12)}`,
  );
}

console.log(`\nJWT authentication with a warm JWKS cache: ${iterations} runs, ${process.version}\n`);
console.log(`${'path'.padEnd(44)}${'median'.padStart(12)}${'p99'.padStart(12)}`);
const staticToken = 'x'.repeat(43);
await measure('static token (sha256 of the token)', async () =>
  createHash('sha256').update(staticToken).digest('hex'),
);
for (const alg of ['RS256', 'ES256']) {
  const issuer = await issuerWith(alg);
  try {
    // Distinct tokens, so each run checks a signature (the same token again is answered from the cache).
    const tokens = await Promise.all(
      Array.from({ length: WARM_UP + iterations }, (_, i) => issuer.sign(`j${i}`)),
    );
    for (const withCel of [false, true]) {
      const authenticators = authenticatorsFor(issuer, withCel);
      const first = process.hrtime.bigint();
      await authenticators.authenticate(await issuer.sign());
      const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
      await measure(`${alg}, ${withCel ? 'CEL mappings' : 'claim mappings'}`, (i) =>
        authenticators.authenticate(tokens[i]),
      );
      console.log(`${''.padEnd(4)}first token (discovery + JWKS fetch): ${firstMs.toFixed(1)} ms`);
    }
    const cached = authenticatorsFor(issuer, false);
    await measure(`${alg}, one token again (verified-token cache)`, () => cached.authenticate(tokens[0]));
  } finally {
    issuer.stop();
  }
}
