import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePlatformCertificates } from '../shared/tls/certificates.js';
import {
  addDeferredCas,
  addDeferredCasBeforeLoading,
  DEFERRED_CA_VARIABLE,
  restoreDeferredExtraCaCerts,
} from './deferred-extra-ca.js';

const certificates = issuePlatformCertificates();
const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-extra-ca-'));
const bundle = path.join(dir, 'company-ca.pem');
const originalCreateSecureContext = tls.createSecureContext;
let server: tls.Server;
let port: number;

beforeAll(async () => {
  server = tls.createServer(
    { cert: certificates.server.certificatePem, key: certificates.server.keyPem },
    (s) => s.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  tls.createSecureContext = originalCreateSecureContext;
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the verification error, or undefined when the server's certificate was trusted. */
function verify(options: tls.ConnectionOptions = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
  });
}

describe('restoreDeferredExtraCaCerts', () => {
  it('gives the variable back for child processes and trusts the bundle once a module that connects loads', async () => {
    writeFileSync(bundle, certificates.ca.certificatePem);
    const env: NodeJS.ProcessEnv = { [DEFERRED_CA_VARIABLE]: bundle };
    restoreDeferredExtraCaCerts(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: bundle });
    // Only a module that connects brings the certificates in.
    addDeferredCasBeforeLoading('node:fs');
    expect(await verify()).toMatch(/CERT|SIGN|VERIFY/);
    addDeferredCasBeforeLoading('node:tls');
    expect(await verify()).toBeUndefined();
    expect(await verify({ ca: certificates.ca.certificatePem })).toBeUndefined();
    // Pinned to another CA, the bundle does not widen the trust.
    const other = issuePlatformCertificates();
    expect(await verify({ ca: other.ca.certificatePem })).toMatch(/CERT|SIGN|VERIFY/);
  });

  it('leaves everything alone when the launcher moved nothing', () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: bundle };
    const before = tls.createSecureContext;
    restoreDeferredExtraCaCerts(env);
    addDeferredCas();
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: bundle });
    expect(tls.createSecureContext).toBe(before);
  });
});
