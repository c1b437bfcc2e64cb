import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kplane, kubectl, startDevPlatform, userSandbox, type DevPlatform } from './helpers/cli.js';
import { mintToken } from './helpers/identity.js';

// Node 20 parses the whole NODE_EXTRA_CA_CERTS bundle at start-up. Where it is set, `kplane login` writes a
// credential entry that hands the variable to kplane instead, which adds those certificates only to connections
// the kubeconfig does not pin; kubectl's calls through a stored token then never read the bundle.

const sandbox = userSandbox('kplane-extra-ca-');
let platform: DevPlatform;
let bundle: string;

beforeAll(async () => {
  platform = await startDevPlatform();
  // A company-CA style bundle: the system's roots plus the platform's CA, which nothing else names.
  bundle = path.join(sandbox.dir, 'company-ca.pem');
  const system = process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : '';
  writeFileSync(bundle, `${system}\n${readFileSync(path.join(platform.dataDir, 'ca.crt'), 'utf8')}`);
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  sandbox.cleanup();
});

const withBundle = (extra: Record<string, string> = {}) => ({
  env: { ...sandbox.env, NODE_EXTRA_CA_CERTS: bundle, ...extra },
});

describe('a platform whose CA reaches kplane only through NODE_EXTRA_CA_CERTS', () => {
  it('works for login, ws use and kubectl through auth token', async () => {
    const token = await mintToken(platform, 'alice');
    const login = await kplane(['login', platform.url, '--token-stdin'], {
      ...withBundle(),
      input: `${token}\n`,
    });
    expect(login.stderr).not.toMatch(/certificate/i);
    expect(login.code).toBe(0);
    const config = parse(readFileSync(sandbox.kubeconfig, 'utf8'));
    // Trusted through the bundle, so nothing is pinned: every later connection needs the bundle too.
    expect(config.clusters[0].cluster).not.toHaveProperty('certificate-authority-data');
    expect(config.users[0].user.exec.command).toBe('/bin/sh');

    const use = await kplane(['ws', 'use', ':root'], withBundle());
    expect(use.stderr).toBe('');
    expect(use.code).toBe(0);

    // kubectl (Go) trusts the company CA through the system store (SSL_CERT_FILE); its exec plugin, kplane,
    // through the variable the shell line hands over.
    const whoami = await kubectl(
      ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
      withBundle({ SSL_CERT_FILE: bundle }),
    );
    expect(whoami.stderr).toBe('');
    expect(whoami.stdout).toContain('alice');
  });

  it('is still needed: without the bundle kplane does not trust the platform', async () => {
    const use = await kplane(['ws', 'use', ':root'], withBundle({ NODE_EXTRA_CA_CERTS: '' }));
    expect(use.code).not.toBe(0);
    expect(use.stderr).toMatch(/certificate/i);
  });
});

describe('kubectl through the credential, with a stored token', () => {
  // Node warns at start-up when it cannot read the bundle: the warning shows whether Node read it.
  const missing = '/nonexistent/company-ca.pem';

  it('never makes Node read the bundle, and loads no TLS code', async () => {
    const probe = path.join(sandbox.dir, 'tls-probe.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write(`tls loaded: ${process.moduleLoadList.includes('NativeModule tls')}\\n`));\n",
    );
    const probed = {
      NODE_EXTRA_CA_CERTS: missing,
      SSL_CERT_FILE: bundle,
      NODE_OPTIONS: `--require ${probe}`,
    };
    // The shell line answers from the prepared file: no Node at all, so no probe either.
    const whoami = await kubectl(
      ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
      withBundle(probed),
    );
    expect(whoami.stdout, whoami.stderr).toBe('alice');
    expect(whoami.stderr).toBe('');
    // And where kplane itself answers (nothing prepared for the shell line: an older login, say), it neither
    // lets Node read the bundle nor loads TLS code.
    rmSync(path.join(sandbox.env.XDG_CONFIG_HOME!, 'kplane', 'exec-credentials'), { recursive: true });
    const launched = await kubectl(
      ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
      withBundle(probed),
    );
    expect(launched.stdout, launched.stderr).toBe('alice');
    expect(launched.stderr).toBe('tls loaded: false\n');
  });
});
