import { AccessDeniedError, InvalidInputError, KplaneError, NotFoundError } from '../cli/errors.js';
import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { printList, renderTable } from '../cli/table.js';
import { isStatusCode } from '../client/api-error.js';
import { pollUntil } from '../client/poll.js';
import type { RestClient } from '../client/rest-client.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { isValidWorkspacePath } from '../context/workspace-path.js';
import { withWorkspaceSession } from '../workspace/session.js';
import { bindingsListPath } from './binding-warnings.js';
import { acceptedClaim, claimLabel, claimWarnings } from './claims.js';
import type { APIBinding } from './types.js';

export interface ExportReference {
  path: string;
  name: string;
}

const referenceHelp =
  'fully qualified reference to workspace where APIExport exists is required. The format is `<logical-cluster-name>:<apiexport>` or `<full>:<path>:<to>:<apiexport>`';

/** `root:providers:db:databases` → the export `databases` in `root:providers:db` (kcp's bind argument). */
export function parseExportReference(text: string): ExportReference {
  const reference = text.startsWith(':') ? text.slice(1) : text;
  const at = reference.lastIndexOf(':');
  const path = at < 0 ? '' : reference.slice(0, at);
  const name = at < 0 ? reference : reference.slice(at + 1);
  if (!isValidWorkspacePath(path) || !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(name)) {
    throw new InvalidInputError(referenceHelp);
  }
  return { path, name };
}

export interface BindOptions {
  kubeconfig: WorkspaceSelector;
  reference: string;
  name?: string;
  acceptClaims: string[];
  timeoutMs: number;
  output: OutputFormat;
}

/** `bind`: create an APIBinding to the export and wait until it is Bound, printing kcp's messages. */
export async function bindExport(options: BindOptions, io: IOStreams): Promise<APIBinding> {
  const reference = parseExportReference(options.reference);
  const claims = options.acceptClaims.map(acceptedClaim);
  const name = options.name ?? reference.name;
  const text = options.output === 'text';
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    try {
      await session.client.post<APIBinding>(bindingsListPath(session.path), {
        apiVersion: 'apis.kcp.io/v1alpha2',
        kind: 'APIBinding',
        metadata: { name },
        spec: {
          reference: { export: reference },
          ...(claims.length > 0 ? { permissionClaims: claims } : {}),
        },
      });
    } catch (error) {
      if (isStatusCode(error, 403)) throw new AccessDeniedError(error.message);
      throw error;
    }
    if (text) io.out(`apibinding ${name} created. Waiting to successfully bind ...`);
    const bound = await waitUntilBound(session.client, session.path, name, options.timeoutMs);
    if (text) {
      io.out(`${name} created and bound.`);
      for (const warning of claimWarnings(bound)) io.err(warning);
    } else await printData(io, options.output, bound);
    return bound;
  });
}

function waitUntilBound(
  client: RestClient,
  workspace: string,
  name: string,
  timeoutMs: number,
): Promise<APIBinding> {
  return pollUntil(
    () => client.get<APIBinding>(`${bindingsListPath(workspace)}/${name}`),
    (binding) => binding.status?.phase === 'Bound',
    {
      timeoutMs,
      intervalMs: 200,
      timedOut: (binding) => {
        const why = (binding.status?.conditions ?? []).find((c) => c.status === 'False' && c.message);
        return new KplaneError(
          `could not bind ${name}: ${why?.message ?? `still ${binding.status?.phase || 'waiting'} after ${timeoutMs / 1000}s`}`,
        );
      },
    },
  );
}

/** `bind list`: the bindings of the current workspace, their phase and what they bound. */
export async function listBindings(
  options: { kubeconfig: WorkspaceSelector; output: OutputFormat },
  io: IOStreams,
): Promise<APIBinding[]> {
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    const { items } = await session.client.get<{ items: APIBinding[] }>(bindingsListPath(session.path));
    await printList(io, options.output, items, `No API bindings in ${session.path}.`, () =>
      renderTable(
        io,
        ['Name', 'Export', 'Phase', 'Resources', 'Claims'],
        items.map((binding) => [
          binding.metadata.name,
          `${binding.spec.reference.export.path ?? session.path}:${binding.spec.reference.export.name}`,
          binding.status?.phase || 'Binding',
          (binding.status?.boundResources ?? []).map((r) => `${r.resource}.${r.group}`).join(',') || '<none>',
          (binding.spec.permissionClaims ?? []).map((c) => `${claimLabel(c)}=${c.state}`).join(',') ||
            '<none>',
        ]),
      ),
    );
    return items;
  });
}

/** `unbind NAME`: delete the binding; the platform removes the resource and its objects from this workspace. */
export async function unbind(
  options: { kubeconfig: WorkspaceSelector; name: string },
  io: IOStreams,
): Promise<void> {
  return withWorkspaceSession(options.kubeconfig, async (session) => {
    try {
      await session.client.delete(`${bindingsListPath(session.path)}/${options.name}`);
    } catch (error) {
      if (isStatusCode(error, 404)) {
        throw new NotFoundError(`apibinding "${options.name}" not found in ${session.path}`);
      }
      throw error;
    }
    io.err(`apibinding ${options.name} deleted.`);
  });
}
