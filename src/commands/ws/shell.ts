import { Args } from '@oclif/core';
import { KplaneCommand } from '../../cli/base-command.js';
import { runInWorkspace } from '../../workspace/run-in.js';

export default class WsShell extends KplaneCommand {
  static override summary = 'Start a shell whose kubectl works in a workspace.';
  static override description =
    'Starts $SHELL (or /bin/sh) with KUBECONFIG pointing at a temporary overlay in front of your kubeconfig ' +
    'files and KPLANE_WORKSPACE set. "ws use" inside it switches only that shell. The overlay is removed when ' +
    "the shell exits; kplane exits with the shell's exit code.";

  static override examples = ['<%= config.bin %> ws shell root:acme:web'];

  static override args = {
    path: Args.string({ description: 'Workspace path.', required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WsShell);
    process.exitCode = await runInWorkspace({
      kubeconfig: this.kubeconfigSource(flags),
      target: args.path,
      command: process.env.SHELL || '/bin/sh',
      args: [],
      env: (workspace) => ({ KPLANE_WORKSPACE: workspace.path }),
    });
  }
}
