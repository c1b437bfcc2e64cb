import { Flags } from '@oclif/core';
import { KplaneCommand } from '../../cli/base-command.js';
import { resolveDataDir } from '../../devplatform/data-dir.js';
import { stopDemoProvider } from '../../devplatform/demo-oidc.js';
import { stopDevCompute } from '../../devplatform/dev-compute.js';
import { stopPlatformProcesses } from '../../devplatform/replicas.js';

export default class DevDown extends KplaneCommand {
  static override summary =
    'Stop a local platform started with "dev up --detach": with --storage etcd also its replicas, front and local etcd.';
  static override examples = ['<%= config.bin %> dev down', '<%= config.bin %> dev down --data-dir /tmp/kp'];

  static override flags = {
    'data-dir': Flags.string({
      description: 'The platform data folder (default: ~/.local/share/kplane/dev).',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevDown);
    const dataDir = resolveDataDir(flags['data-dir']);
    // The demo OpenID provider (dev up --oidc), if one runs, goes with its platform.
    await stopDemoProvider(dataDir);
    // So do the demo's member clusters and their agents (dev up --demo).
    const compute = await stopDevCompute(dataDir);
    if (compute.agents) this.io.err(`kplane agents (pid ${compute.agents.pid}) stopped.`);
    if (compute.members) this.io.err(`kplane member clusters (pid ${compute.members.pid}) stopped.`);
    for (const { role, pid, forced } of await stopPlatformProcesses(dataDir))
      this.io.err(
        `${stoppedName(role)} (pid ${pid}) stopped${forced ? ' (it did not stop in time and was killed)' : ''}.`,
      );
  }
}

/** `kplane platform` as before for the single process; with replicas each says which it was. */
function stoppedName(role: string): string {
  if (role === 'etcd') return 'local etcd';
  return role === 'front'
    ? 'kplane front'
    : `kplane ${role === 'platform' ? 'platform' : `platform ${role}`}`;
}
