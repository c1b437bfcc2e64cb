import { KplaneCommand } from '../cli/base-command.js';
import { runCompletion } from '../completion/run.js';

/** The engine behind the completion scripts; normally answered by the fast path, this serves KPLANE_NO_FAST_PATH. */
export default class CompleteWords extends KplaneCommand {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Complete the given words (cobra __complete protocol).';

  async run(): Promise<void> {
    process.exitCode = await runCompletion(this.argv, this.io);
  }
}
