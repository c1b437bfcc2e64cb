import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';

// Node 20 parses the whole NODE_EXTRA_CA_CERTS bundle before running a line of code (~100 ms for a system bundle
// on a 2-core machine), though `auth token` with a stored token opens no connection at all. The credential entry
// `kplane login` writes moves the variable aside for kplane (see auth/exec-command.ts); here it comes back: for
// the programs kplane starts, and for kplane's own TLS connections that do not pin a CA of their own, read only
// when the first such connection is made. Node 22 and later read the bundle lazily themselves.

/** Where the credential entry moves NODE_EXTRA_CA_CERTS, so Node does not read it at start-up. */
export const DEFERRED_CA_VARIABLE = 'KPLANE_EXTRA_CA_CERTS';

/** The modules through which kplane opens TLS connections (openid-client through fetch, which uses `tls`). */
const connectingModules = new Set(['node:tls', 'tls', 'node:https', 'https', 'openid-client']);

let deferredBundle: string | undefined;

/** What Node 22.19+ adds to `tls` (the @types/node this project pins for Node 20 does not know it). */
interface DefaultTrust {
  getCACertificates(type: 'default'): string[];
  setDefaultCACertificates(certificates: string[]): void;
}

/** Gives NODE_EXTRA_CA_CERTS back to the environment and remembers the bundle for `addDeferredCas`. */
export function restoreDeferredExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[DEFERRED_CA_VARIABLE];
  if (file === undefined) return;
  delete env[DEFERRED_CA_VARIABLE];
  env.NODE_EXTRA_CA_CERTS = file;
  deferredBundle = file || undefined;
}

/** `addDeferredCas` when `id` is a module that opens connections: the rest of a command never loads `tls`. */
export function addDeferredCasBeforeLoading(id: string): void {
  if (deferredBundle !== undefined && connectingModules.has(id)) addDeferredCas();
}

/**
 * Makes the deferred bundle's certificates part of the default trust, as NODE_EXTRA_CA_CERTS does: every TLS
 * context that names no CA of its own trusts them too; one pinned by the kubeconfig's
 * `certificate-authority-data` never reads the file, as Node never used it there either.
 */
export function addDeferredCas(): void {
  const file = deferredBundle;
  if (file === undefined) return;
  deferredBundle = undefined;
  const tls = process.getBuiltinModule('node:tls');
  const newer = tls as typeof tls & Partial<DefaultTrust>;
  if (newer.setDefaultCACertificates && newer.getCACertificates) {
    // Node 22.19 and later: the supported way to change the default trust.
    newer.setDefaultCACertificates([...newer.getCACertificates('default'), ...certificatesIn(file)]);
    return;
  }
  // Node 20: its own clients (tls.connect, https, fetch's undici) all build their contexts through this export.
  const createSecureContext = tls.createSecureContext;
  let trusted: string[] | undefined;
  const withDeferredCas = (options: SecureContextOptions = {}) => {
    if (options.ca != null) return createSecureContext(options);
    trusted ??= [...tls.rootCertificates, ...certificatesIn(file)];
    return createSecureContext({ ...options, ca: trusted });
  };
  Object.defineProperty(tls, 'createSecureContext', {
    value: withDeferredCas,
    writable: true,
    configurable: true,
  });
}

function certificatesIn(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
  } catch (error) {
    // Node's own words when it cannot read the bundle; it goes on without it, and so do we.
    process.stderr.write(
      `Warning: Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}\n`,
    );
    return [];
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
