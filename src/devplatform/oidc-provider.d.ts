// oidc-provider 8 ships no type definitions; this declares only what the dev provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ProviderContext {
    method: string;
    path: string;
    oidc?: { params?: Record<string, unknown> };
  }

  export interface StoredToken {
    grantId?: string;
    destroy(): Promise<void>;
  }

  export interface StoredGrant {
    destroy(): Promise<void>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>): void;
    on(event: string, listener: (ctx: ProviderContext, ...rest: unknown[]) => void): this;
    RefreshToken: { find(value: string): Promise<StoredToken | undefined> };
    Grant: { find(id: string): Promise<StoredGrant | undefined> };
  }
}
