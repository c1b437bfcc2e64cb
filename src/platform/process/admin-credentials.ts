import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hashToken, mintToken } from '../auth/tokens.js';
import { ADMIN_GROUPS, ADMIN_USER } from '../auth/user.js';
import type { TokenStore } from '../storage/token-store.js';
import { writeFileAtomic } from './atomic-write.js';

export const ADMIN_TOKEN_FILE = 'admin.token';
export const ADMIN_KUBECONFIG_FILE = 'admin.kubeconfig';

/**
 * Keeps `DIR/admin.token` valid: reused while its hash is known, otherwise (first start, or the file
 * was lost) a new token is minted. Only the sha256 hash goes into the database.
 */
export async function ensureAdminToken(dataDir: string, tokens: TokenStore): Promise<string> {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token && tokens.find(hashToken(token))) {
      chmodSync(file, 0o600);
      return file;
    }
  }
  const token = mintToken();
  // Stored before the file is written: a token file always holds a token the platform accepts.
  await tokens.add({ hash: hashToken(token), user: ADMIN_USER, groups: ADMIN_GROUPS });
  writeFileAtomic(file, token, 0o600);
  return file;
}

/**
 * The admin kubeconfig points at the token file, so the kubeconfig itself holds no secret. It
 * carries the platform's CA (public) so TLS verification stays on.
 */
export function writeAdminKubeconfig(dataDir: string, url: string, tokenFile: string, caPem: string): string {
  const file = join(dataDir, ADMIN_KUBECONFIG_FILE);
  const cluster = {
    server: `${url}/clusters/root`,
    'certificate-authority-data': Buffer.from(caPem, 'utf8').toString('base64'),
  };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kplane', cluster }],
    users: [{ name: 'kplane-admin', user: { tokenFile } }],
    contexts: [{ name: 'kplane', context: { cluster: 'kplane', user: 'kplane-admin' } }],
    'current-context': 'kplane',
    preferences: {},
  };
  writeFileAtomic(file, stringify(config), 0o600);
  chmodSync(file, 0o600);
  return file;
}
