import path from 'node:path';
import { kplane, kubectl, userSandbox, type DevPlatform, type RunResult, type UserSandbox } from './cli.js';

/** Mints a token for `user` with the platform owner's tool; only the token comes out on stdout. */
export async function mintToken(platform: DevPlatform, user: string, ...flags: string[]): Promise<string> {
  const result = await kplane(['dev', 'token', user, '--data-dir', platform.dataDir, ...flags]);
  if (result.code !== 0 || !/^\S+\n$/.test(result.stdout)) {
    throw new Error(`dev token ${user} failed (${result.code}): ${result.stderr}`);
  }
  return result.stdout.trim();
}

export function login(platform: DevPlatform, user: UserSandbox, token: string): Promise<RunResult> {
  const caFile = path.join(platform.dataDir, 'ca.crt');
  return kplane(['login', platform.url, '--token-stdin', '--certificate-authority', caFile], {
    env: user.env,
    input: `${token}\n`,
  });
}

export interface LoggedInUser {
  name: string;
  token: string;
  sandbox: UserSandbox;
  kplane(...args: string[]): Promise<RunResult>;
  kubectl(...args: string[]): Promise<RunResult>;
}

/** A person with their own HOME and kubeconfig, logged in to the platform as `name`. */
export async function loggedInUser(
  platform: DevPlatform,
  name: string,
  ...tokenFlags: string[]
): Promise<LoggedInUser> {
  const sandbox = userSandbox(`kplane-${name}-`);
  const token = await mintToken(platform, name, ...tokenFlags);
  const result = await login(platform, sandbox, token);
  if (result.code !== 0) throw new Error(`login as ${name} failed: ${result.stderr}`);
  return {
    name,
    token,
    sandbox,
    kplane: (...args) => kplane(args, { env: sandbox.env }),
    kubectl: (...args) => kubectl(args, { env: sandbox.env }),
  };
}

/** kubectl as the platform admin, in one workspace. */
export function adminKubectl(
  platform: DevPlatform,
  workspace: string,
  ...args: string[]
): Promise<RunResult> {
  return kubectl([
    '--kubeconfig',
    platform.adminKubeconfig,
    '--server',
    `${platform.url}/clusters/${workspace}`,
    ...args,
  ]);
}
