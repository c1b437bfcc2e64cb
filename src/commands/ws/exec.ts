import { Args } from '@oclif/core';
import { KplaneCommand } from '../../cli/base-command.js';
import { InvalidInputError } from '../../cli/errors.js';
import { CommandNotFoundError, runInWorkspace } from '../../workspace/run-in.js';

export default class WsExec extends KplaneCommand {
  static override summary = 'Run one command in a workspace without switching.';
  static override description =
    'Resolves PATH like "ws use" and checks it, then runs COMMAND with KUBECONFIG pointing at a temporary ' +
    'overlay in front of your kubeconfig files. Your kubeconfig is not changed; the overlay is removed ' +
    'afterwards. Exits with the exit code of COMMAND.';

  static override examples = [
    '<%= config.bin %> ws exec root:acme:web -- kubectl get configmaps',
    '<%= config.bin %> ws exec ../api -- kubectl apply -f deploy.yaml',
  ];

  static override usage = 'ws exec PATH [--kubeconfig <value>] -- COMMAND [ARGS...]';
  static override strict = false;
  static override args = {
    path: Args.string({ description: 'Workspace path.', required: true }),
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(WsExec);
    // After `--` take the words exactly as given: oclif's argv is reordered and drops duplicates' positions.
    const dashDash = this.argv.indexOf('--');
    const commandLine = dashDash >= 0 ? this.argv.slice(dashDash + 1) : (argv as string[]).slice(1);
    const [command, ...commandArgs] = commandLine;
    if (command === undefined)
      throw new InvalidInputError('give the command to run after PATH: ws exec PATH -- COMMAND');
    try {
      process.exitCode = await runInWorkspace({
        kubeconfig: this.kubeconfigSource(flags),
        target: args.path,
        command,
        args: commandArgs,
      });
    } catch (error) {
      if (!(error instanceof CommandNotFoundError)) throw error;
      this.io.err(`Error: ${error.message}`);
      process.exitCode = error.commandExitCode;
    }
  }
}
