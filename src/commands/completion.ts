import { Args } from '@oclif/core';
import { KplaneCommand } from '../cli/base-command.js';
import { completionScript, completionShells } from '../completion/scripts.js';

export default class Completion extends KplaneCommand {
  static override summary = 'Print a shell completion script (bash, zsh or fish).';
  static override description =
    'TAB then completes commands, flags, workspace paths (asking the platform, briefly), export references, ' +
    'export names, placement names and output formats.';

  static override examples = [
    'source <(<%= config.bin %> completion bash)   # in ~/.bashrc',
    'source <(<%= config.bin %> completion zsh)    # in ~/.zshrc, after compinit',
    '<%= config.bin %> completion fish | source    # in ~/.config/fish/config.fish',
  ];

  static override args = {
    shell: Args.string({ description: 'The shell.', required: true, options: [...completionShells] }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    this.io.out(completionScript(args.shell, this.config.bin));
  }
}
