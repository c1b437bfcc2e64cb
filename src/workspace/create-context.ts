import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { planCreateContext, type CreateContextPlan } from '../context/create-context.js';
import { modifyKubeconfig } from '../context/kubeconfig/modify.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import { kubeconfigSources } from '../context/kubeconfig/sources.js';
import { rememberWrittenKubeconfig } from './kubeconfig-view.js';

export interface CreateContextOptions {
  kubeconfig: KubeconfigSourceOptions;
  name?: string;
  overwrite: boolean;
  output: OutputFormat;
}

export interface CreateContextView {
  context: string;
  cluster: string;
  path: string;
  server: string;
  created: boolean;
  switched: boolean;
}

/**
 * `ws create-context [NAME] [--overwrite]`: kcp's standalone context for the current workspace. Reads and writes
 * the kubeconfig only (no request to the platform, as in kcp); under the kubeconfig lock, and nothing is
 * written when the plan throws.
 */
export async function createWorkspaceContext(
  options: CreateContextOptions,
  io: IOStreams,
): Promise<CreateContextView> {
  let plan: CreateContextPlan | undefined;
  const result = await modifyKubeconfig(options.kubeconfig, (config) => {
    plan = planCreateContext(config, { name: options.name, overwrite: options.overwrite });
    return plan.changes;
  });
  await rememberWrittenKubeconfig(kubeconfigSources(options.kubeconfig), result);
  const { name, path, server, created, switched } = plan!;
  const view = { context: name, cluster: name, path, server, created, switched };
  if (options.output !== 'text') {
    await printData(io, options.output, view);
  } else {
    // kcp's sentences, on stdout as kcp prints them.
    io.out(
      `${created ? 'Created' : 'Updated'} context ${JSON.stringify(name)}${switched ? ' and switched to it' : ''}.`,
    );
  }
  return view;
}
