import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { demoAuthenticationConfig, demoProviderFiles } from './demo-oidc.js';
import { startOpenIdProvider } from './openid-provider.js';

// Process entry of the demo OpenID provider (`kplane dev up --oidc`): starts it, writes the platform's
// AuthenticationConfiguration and a pid file into the data folder, prints one JSON ready line, and serves
// until SIGTERM.

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, strict: true });
  const dataDir = values['data-dir'];
  if (!dataDir) {
    process.stderr.write('usage: node dist/devplatform/openid-provider-main.js --data-dir DIR\n');
    process.exit(2);
  }
  const files = demoProviderFiles(dataDir);
  const provider = await startOpenIdProvider();
  writeFileSync(files.authenticationConfig, demoAuthenticationConfig(provider), { mode: 0o600 });
  writeFileSync(files.pid, `${process.pid}\n`, { mode: 0o600 });
  const stop = () => {
    rmSync(files.pid, { force: true });
    provider.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(
    `${JSON.stringify({ ready: true, issuer: provider.issuer, authenticationConfig: files.authenticationConfig, pid: process.pid })}\n`,
  );
}

void main();
