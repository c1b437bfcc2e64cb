import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../process/atomic-write.js';
import { issuePlatformCertificates, PLATFORM_CA_FILE } from '../../shared/tls/certificates.js';

export const CA_FILE = PLATFORM_CA_FILE;
const SERVER_CERT_FILE = 'server.crt';
const SERVER_KEY_FILE = 'server.key';

export interface ServingCertificates {
  /** The CA certificate (PEM) clients trust; it goes into the kubeconfig. */
  caPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
}

function stillValid(dataDir: string, now: Date): boolean {
  try {
    const ca = new X509Certificate(readFileSync(join(dataDir, CA_FILE)));
    const server = new X509Certificate(readFileSync(join(dataDir, SERVER_CERT_FILE)));
    const renewBy = now.getTime() + 24 * 60 * 60 * 1000;
    return (
      existsSync(join(dataDir, SERVER_KEY_FILE)) &&
      server.checkIssued(ca) &&
      server.verify(ca.publicKey) &&
      Date.parse(server.validTo) > renewBy &&
      Date.parse(ca.validTo) > renewBy
    );
  } catch {
    return false;
  }
}

/**
 * The serving certificates in the data folder, created on first start and kept afterwards so the
 * kubeconfigs already handed out keep trusting the server. The CA's private key is thrown away
 * once the server certificate is signed: nothing else should ever be issued under it.
 */
export function ensureServingCertificates(dataDir: string, now = new Date()): ServingCertificates {
  const caFile = join(dataDir, CA_FILE);
  if (!stillValid(dataDir, now)) {
    const issued = issuePlatformCertificates(now);
    writeFileAtomic(join(dataDir, SERVER_KEY_FILE), issued.server.keyPem, 0o600);
    // Public, but they live in the owner's folder, where everything is the owner's alone.
    writeFileAtomic(join(dataDir, SERVER_CERT_FILE), issued.server.certificatePem, 0o600);
    writeFileAtomic(caFile, issued.ca.certificatePem, 0o600);
  }
  return {
    caPem: readFileSync(caFile, 'utf8'),
    caFile,
    certPem: readFileSync(join(dataDir, SERVER_CERT_FILE), 'utf8'),
    keyPem: readFileSync(join(dataDir, SERVER_KEY_FILE), 'utf8'),
  };
}
