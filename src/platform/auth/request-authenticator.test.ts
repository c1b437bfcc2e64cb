import { describe, expect, it } from 'vitest';
import type { TokenStore } from '../storage/token-store.js';
import { JwtAuthenticators } from './oidc/jwt-authenticator.js';
import { REFUSALS_LOGGED_PER_MINUTE, RequestAuthenticator } from './request-authenticator.js';
import { hashToken, mintToken } from './tokens.js';

const staticToken = mintToken();
const tokens = {
  find: (hash: string) => (hash === hashToken(staticToken) ? { hash, user: 'alice', groups: [] } : undefined),
} as unknown as TokenStore;

// A JWT-shaped token of an issuer nobody configured.
const foreignJwt = (n: number) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(
    JSON.stringify({ iss: 'https://elsewhere.example', n }),
  ).toString('base64url')}.c2ln`;

describe('RequestAuthenticator', () => {
  it('answers static tokens first and refuses JWTs no authenticator takes', async () => {
    const lines: string[] = [];
    const authenticator = new RequestAuthenticator(tokens, new JwtAuthenticators({ jwt: [] }), {
      log: (line) => lines.push(line),
    });
    expect((await authenticator.authenticate({ authorization: `Bearer ${staticToken}` }))?.name).toBe(
      'alice',
    );
    expect(await authenticator.authenticate({ authorization: `Bearer ${foreignJwt(1)}` })).toBeUndefined();
    expect(lines).toEqual(['kplane platform: JWT refused: the token names an issuer that is not configured']);
  });

  it('logs refusals at a bounded rate, so junk tokens cannot fill the log', async () => {
    const lines: string[] = [];
    let clock = 0;
    const authenticator = new RequestAuthenticator(tokens, new JwtAuthenticators({ jwt: [] }), {
      log: (line) => lines.push(line),
      now: () => clock,
    });
    for (let i = 0; i < 500; i++)
      await authenticator.authenticate({ authorization: `Bearer ${foreignJwt(i)}` });
    expect(lines).toHaveLength(REFUSALS_LOGGED_PER_MINUTE);
    clock += 60_000;
    await authenticator.authenticate({ authorization: `Bearer ${foreignJwt(0)}` });
    expect(lines[REFUSALS_LOGGED_PER_MINUTE]).toBe(
      `kplane platform: ${500 - REFUSALS_LOGGED_PER_MINUTE} more JWTs refused in the last minute (not logged one by one)`,
    );
    expect(lines).toHaveLength(REFUSALS_LOGGED_PER_MINUTE + 2);
  });
});
