import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parse } from 'yaml';
import { startDevPlatform, userSandbox, type DevPlatform, type UserSandbox } from './cli.js';

/** A demo platform and one user sandbox for a whole test file; both are set once `beforeAll` has run. */
export interface DemoPlatformSession {
  platform: DevPlatform;
  user: UserSandbox;
  /** The sandbox's kubeconfig as it is on disk now. */
  kubeconfigText(): string;
  /** The server URL of the kubeconfig's current context. */
  currentServer(): string;
}

/**
 * Registers the hooks of a test file that works as the platform admin: start the demo platform and a user
 * sandbox before all tests, stop and remove them after, and give every test a fresh copy of the admin
 * kubeconfig in the sandbox. Call it at the top of the file.
 */
export function demoPlatformSession(sandboxPrefix?: string): DemoPlatformSession {
  const session = {
    kubeconfigText: () => readFileSync(session.user.kubeconfig, 'utf8'),
    currentServer: () => {
      const config = parse(session.kubeconfigText()) as {
        'current-context': string;
        contexts: { name: string; context: { cluster: string } }[];
        clusters: { name: string; cluster: { server: string } }[];
      };
      const context = config.contexts.find((c) => c.name === config['current-context'])!;
      return config.clusters.find((c) => c.name === context.context.cluster)!.cluster.server;
    },
  } as DemoPlatformSession;

  // `kplane dev up` alone may take up to its own 60 s limit; the hook allows for that and the sandbox.
  beforeAll(async () => {
    session.platform = await startDevPlatform({ demo: true });
    session.user = userSandbox(sandboxPrefix);
  }, 90_000);

  afterAll(async () => {
    await session.platform?.stop();
    session.user?.cleanup();
  });

  beforeEach(() => {
    copyFileSync(session.platform.adminKubeconfig, session.user.kubeconfig);
  });

  return session;
}
