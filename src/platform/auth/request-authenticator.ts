import type { IncomingHttpHeaders } from 'node:http';
import type { TokenStore } from '../storage/token-store.js';
import { authenticate as authenticateStaticToken } from './authenticate.js';
import type { JwtAuthenticators } from './oidc/jwt-authenticator.js';
import type { UserInfo } from './user.js';

// Three base64url parts: the only shape worth handing to the JWT authenticators.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Beyond this, refusals are counted, not logged one by one: an anonymous caller must not fill the log. */
export const REFUSALS_LOGGED_PER_MINUTE = 30;
const MINUTE_MS = 60_000;

export interface RequestAuthenticatorOptions {
  log?: (line: string) => void;
  now?: () => number;
}

/**
 * Who sent a request: the platform's static tokens first (a hash lookup), then the JWT authenticators of
 * the AuthenticationConfiguration. Undefined means 401, and every kind of refusal gives the same 401;
 * why a JWT was refused is logged (never the token), and nothing inside becomes a 500.
 */
export class RequestAuthenticator {
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private loggedInWindow = 0;
  private unlogged = 0;

  constructor(
    private readonly tokens: TokenStore,
    private readonly jwt?: JwtAuthenticators,
    options: RequestAuthenticatorOptions = {},
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = options.now ?? Date.now;
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<UserInfo | undefined> {
    const user = authenticateStaticToken(headers, this.tokens);
    if (user || !this.jwt) return user;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (!token || !JWT_SHAPE.test(token)) return undefined;
    try {
      return await this.jwt.authenticate(token);
    } catch (err) {
      this.logRefusal(`kplane platform: JWT refused: ${(err as Error)?.message ?? String(err)}`);
      return undefined;
    }
  }

  private logRefusal(line: string): void {
    const now = this.now();
    if (now - this.windowStart >= MINUTE_MS) {
      if (this.unlogged > 0)
        this.log(
          `kplane platform: ${this.unlogged} more JWTs refused in the last minute (not logged one by one)`,
        );
      this.windowStart = now;
      this.loggedInWindow = 0;
      this.unlogged = 0;
    }
    if (this.loggedInWindow < REFUSALS_LOGGED_PER_MINUTE) {
      this.loggedInWindow += 1;
      this.log(line);
    } else {
      this.unlogged += 1;
    }
  }
}
