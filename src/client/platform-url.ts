import { InvalidInputError } from '../cli/errors.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';

/**
 * The key kplane files a platform's token under: its base URL (scheme, host, port and any path prefix before
 * `/clusters/`), so every workspace of one platform shares one login.
 */
export function platformBaseUrl(url: string): string {
  const workspace = parseWorkspaceUrl(url);
  if (workspace) return workspace.base.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(`invalid platform URL "${url}": use https://HOST[:PORT]`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError(`invalid platform URL "${url}": use https://HOST[:PORT]`);
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`.replace(/\/+$/, '');
}
