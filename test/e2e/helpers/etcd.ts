import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  etcdMissing as whyMissing,
  startLocalEtcd,
  type LocalEtcd,
  type LocalEtcdOptions,
} from '../../../src/platform/storage/etcd/local-etcd.js';

export type EtcdCluster = LocalEtcd;

/** Why the etcd tests skip here (the binary is missing: CI installs Debian's etcd-server), or undefined. */
export const etcdMissing = whyMissing(process.env.ETCD);

/** A fresh etcd cluster of `size` members on loopback with a temporary data folder; stop() removes it. */
export function startEtcd(size = 1, tls?: LocalEtcdOptions['tls']): Promise<EtcdCluster> {
  return startLocalEtcd({
    size,
    ...(process.env.ETCD ? { binary: process.env.ETCD } : {}),
    ...(tls ? { tls } : {}),
  });
}

export type EtcdCertificates = NonNullable<LocalEtcdOptions['tls']>;

/** A CA, etcd's serving pair for 127.0.0.1 and a client pair, made with openssl in `dir`. */
export function makeEtcdCertificates(dir: string): EtcdCertificates {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=kplane-test-ca',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  );
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      subject,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    );
  };
  issue('server', '/CN=etcd', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  issue('client', '/CN=kplane-platform', 'extendedKeyUsage=clientAuth\n');
  return {
    caFile: file('ca.crt'),
    certFile: file('server.crt'),
    keyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
  };
}
