import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issuePlatformCertificates } from './certificates.js';

describe('issuePlatformCertificates', () => {
  const certs = issuePlatformCertificates(new Date('2026-01-01T00:00:00Z'));
  const ca = new X509Certificate(certs.ca.certificatePem);
  const server = new X509Certificate(certs.server.certificatePem);

  it('makes a self-signed CA', () => {
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(ca.subject).toContain('CN=kplane local platform CA');
  });

  it('makes a loopback server certificate signed by the CA', () => {
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(server.validTo).getUTCFullYear()).toBe(2036);
  });
});
