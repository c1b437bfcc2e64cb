import type { IncomingHttpHeaders } from 'node:http';
import type { TokenStore } from '../storage/token-store.js';
import { authenticate as authenticateStaticToken } from './authenticate.js';
import type { JwtAuthenticators } from './oidc/jwt-authenticator.js';
import type { UserInfo } from './user.js';

// Three base64url parts: the only shape worth handing to the JWT authenticators.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Who sent a request: the platform's static tokens first (a hash lookup), then the JWT authenticators of
 * the AuthenticationConfiguration. Undefined means 401, and every kind of refusal gives the same 401;
 * why a JWT was refused is logged (never the token), and nothing inside becomes a 500.
 */
export class RequestAuthenticator {
  constructor(
    private readonly tokens: TokenStore,
    private readonly jwt?: JwtAuthenticators,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<UserInfo | undefined> {
    const user = authenticateStaticToken(headers, this.tokens);
    if (user || !this.jwt) return user;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (!token || !JWT_SHAPE.test(token)) return undefined;
    try {
      return await this.jwt.authenticate(token);
    } catch (err) {
      this.log(`kplane platform: JWT refused: ${(err as Error)?.message ?? String(err)}`);
      return undefined;
    }
  }
}
