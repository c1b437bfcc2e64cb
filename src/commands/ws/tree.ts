import { Flags } from '@oclif/core';
import { KplaneCommand, outputFlag, workspaceFlag } from '../../cli/base-command.js';
import { printData } from '../../cli/io.js';
import { InvalidInputError } from '../../cli/errors.js';
import { canShowPicker } from '../../cli/prompts.js';
import { useWorkspace } from '../../workspace/use.js';
import { fetchWorkspaceTree, renderWorkspaceTree, workspaceTreeDocument } from '../../workspace/tree.js';
import { withWorkspaceSession } from '../../workspace/session.js';
import { watchWorkspaceTree } from '../../workspace/tree-watch.js';
import type { RestClient } from '../../client/rest-client.js';

export default class WsTree extends KplaneCommand {
  static override summary = 'Show the workspace tree below the current workspace.';
  static override examples = [
    '<%= config.bin %> ws tree',
    '<%= config.bin %> ws tree --full -o json',
    '<%= config.bin %> ws tree --watch',
    '<%= config.bin %> ws tree -i',
  ];

  static override flags = {
    workspace: workspaceFlag,
    full: Flags.boolean({ char: 'f', description: 'Show full paths instead of names.' }),
    watch: Flags.boolean({
      description: 'Keep running and redraw the tree when a workspace is added or removed (Ctrl-C stops).',
      exclusive: ['output'],
    }),
    interactive: Flags.boolean({
      char: 'i',
      description:
        'Browse the tree in the terminal: arrows move and expand, enter switches to the workspace.',
      exclusive: ['output', 'watch'],
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(WsTree);
    const output = this.outputFormat(flags.output);
    return withWorkspaceSession(this.workspaceSelector(flags), async (session) => {
      if (flags.interactive) {
        await this.browse(session.client, session.path, flags.kubeconfig);
        return;
      }
      if (flags.watch) {
        await this.watch(session.client, session.path, flags.full);
        return;
      }
      const tree = await fetchWorkspaceTree(session.client, session.path);
      if (output === 'text') this.io.out(renderWorkspaceTree(tree, { full: flags.full }));
      else await printData(this.io, output, workspaceTreeDocument(tree));
    });
  }

  private async browse(client: RestClient, path: string, kubeconfig: string | undefined): Promise<void> {
    if (!canShowPicker(this.io)) throw new InvalidInputError('--interactive needs a terminal');
    const { browseWorkspaceTree } = await import('../../workspace/tree-browser.js');
    const chosen = await browseWorkspaceTree(await fetchWorkspaceTree(client, path));
    await useWorkspace(
      { kubeconfig: { explicitPath: kubeconfig }, target: `:${chosen}`, short: false, output: 'text' },
      this.io,
    );
  }

  private async watch(client: RestClient, path: string, full: boolean): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await watchWorkspaceTree(client, { path, full, intervalMs: 1000, signal: controller.signal }, this.io);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
