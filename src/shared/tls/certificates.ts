import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicit,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

// A private CA and a loopback server certificate signed by it. kubectl sends credentials only to
// https servers, so the local platform needs TLS; the CA goes into the kubeconfig so that
// verification stays on (no insecure-skip-tls-verify).

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';
const SUBJECT_KEY_ID = '2.5.29.14';
const KEY_USAGE = '2.5.29.15';
const SUBJECT_ALT_NAME = '2.5.29.17';
const BASIC_CONSTRAINTS = '2.5.29.19';
const AUTHORITY_KEY_ID = '2.5.29.35';
const EXT_KEY_USAGE = '2.5.29.37';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

const VALIDITY_YEARS = 10;

/** Where a platform keeps its CA certificate in its data folder: what `kplane login --certificate-authority` takes. */
export const PLATFORM_CA_FILE = 'ca.crt';

export interface IssuedCertificate {
  certificatePem: string;
  keyPem: string;
}

export interface PlatformCertificates {
  ca: IssuedCertificate;
  server: IssuedCertificate;
}

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(ORGANIZATION), utf8String('kplane'))),
    set(sequence(oid(COMMON_NAME), utf8String(commonName))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

interface CertificateRequest {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  issuerPublicKey: KeyObject;
  extensions: Buffer[];
  now: Date;
}

function issue(request: CertificateRequest): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const notBefore = new Date(request.now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(request.now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    name(request.issuer),
    sequence(time(notBefore), time(notAfter)),
    name(request.subject),
    request.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension(SUBJECT_KEY_ID, false, octetString(keyId(request.publicKey))),
        extension(AUTHORITY_KEY_ID, false, sequence(implicit(0, keyId(request.issuerPublicKey)))),
        ...request.extensions,
      ),
    ),
  );
  const signature = sign('sha256', tbs, request.signingKey);
  return sequence(tbs, algorithm, bitString(signature));
}

/** Issues a new CA and a certificate for 127.0.0.1 / localhost signed by it. */
export function issuePlatformCertificates(now = new Date()): PlatformCertificates {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caName = 'kplane local platform CA';
  const caDer = issue({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    now,
    extensions: [
      extension(BASIC_CONSTRAINTS, true, sequence(boolean(true))),
      // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000011 in the first byte, one unused bit.
      extension(KEY_USAGE, true, bitString(Buffer.from([0x06]), 1)),
    ],
  });
  const serverDer = issue({
    subject: '127.0.0.1',
    issuer: caName,
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    now,
    extensions: [
      extension(BASIC_CONSTRAINTS, true, sequence()),
      // digitalSignature (bit 0), seven unused bits.
      extension(KEY_USAGE, true, bitString(Buffer.from([0x80]), 7)),
      extension(EXT_KEY_USAGE, false, sequence(oid(SERVER_AUTH))),
      extension(
        SUBJECT_ALT_NAME,
        false,
        sequence(implicit(2, Buffer.from('localhost')), implicit(7, Buffer.from([127, 0, 0, 1]))),
      ),
    ],
  });
  const keyPem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    ca: { certificatePem: toPem(caDer, 'CERTIFICATE'), keyPem: keyPem(ca.privateKey) },
    server: { certificatePem: toPem(serverDer, 'CERTIFICATE'), keyPem: keyPem(server.privateKey) },
  };
}
