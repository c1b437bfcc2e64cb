import { createHash, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { UnreachableError } from '../cli/errors.js';

export interface PresentedCertificate {
  /** PEM of the topmost certificate the server sent: its CA when it sends the chain, else its own. */
  pem: string;
  subject: string;
  sha256Fingerprint: string;
}

/** Whether the platform's certificate chains to a CA this machine already trusts. */
export async function isTrustedBySystem(url: URL): Promise<boolean> {
  return connect(url, true).then(
    () => true,
    (error: Error & { code?: string }) => {
      if (error.code && /CERT|SELF_SIGNED|UNABLE_TO|VERIFY/.test(error.code)) return false;
      throw new UnreachableError(`cannot reach the platform at ${url.origin}: ${error.message}`);
    },
  );
}

/** The certificate the platform presents, for a person to compare with what its owner published. */
export async function presentedCertificate(url: URL): Promise<PresentedCertificate> {
  const socket = await connect(url, false);
  try {
    let certificate = socket.getPeerCertificate(true);
    while (certificate.issuerCertificate && certificate.issuerCertificate !== certificate) {
      certificate = certificate.issuerCertificate;
    }
    const x509 = new X509Certificate(certificate.raw);
    return {
      pem: x509.toString(),
      subject: x509.subject.replaceAll('\n', ', '),
      sha256Fingerprint: createHash('sha256')
        .update(certificate.raw)
        .digest('hex')
        .toUpperCase()
        .match(/../g)!
        .join(':'),
    };
  } finally {
    socket.destroy();
  }
}

function connect(url: URL, verify: boolean): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: verify,
      timeout: 10_000,
    });
    socket.once('secureConnect', () => {
      if (verify) socket.destroy();
      resolve(socket);
    });
    socket.once('timeout', () => socket.destroy(new Error('no answer within 10s')));
    socket.once('error', reject);
  });
}
