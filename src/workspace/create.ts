import { ConflictError, InvalidInputError, KplaneError } from '../cli/errors.js';
import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { isStatusCode } from '../client/api-error.js';
import { pollUntil } from '../client/poll.js';
import type { RestClient } from '../client/rest-client.js';
import type { WorkspaceSelector } from './session.js';
import { isValidWorkspaceSegment } from '../context/workspace-path.js';
import { withWorkspaceSession } from './session.js';
import { formatWorkspaceType } from './tree.js';
import { useWorkspace } from './use.js';
import { workspacePath, workspacesPath, type WorkspaceObject } from './workspace-api.js';

export interface CreateWorkspaceOptions {
  kubeconfig: WorkspaceSelector;
  name: string;
  type?: string;
  enter: boolean;
  ignoreExisting: boolean;
  output: OutputFormat;
  readyTimeoutMs?: number;
}

export interface WorkspaceTypeReference {
  name: string;
  path?: string;
}

/** `--type name` or `--type path:name`; the name is lower-cased and the path kept, as kcp does. */
export function parseWorkspaceTypeFlag(value: string): WorkspaceTypeReference {
  const at = value.lastIndexOf(':');
  if (at < 0) return { name: value.toLowerCase() };
  return { path: value.slice(0, at), name: value.slice(at + 1).toLowerCase() };
}

/** Catches mistakes before anything is sent, so bad input changes nothing. */
export function validateCreateOptions(options: CreateWorkspaceOptions): WorkspaceTypeReference | undefined {
  if (!isValidWorkspaceSegment(options.name)) {
    throw new InvalidInputError(
      `invalid workspace name "${options.name}": use 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  const type = options.type === undefined ? undefined : parseWorkspaceTypeFlag(options.type);
  if (type && options.ignoreExisting && !(type.path === 'root' || type.path?.startsWith('root:'))) {
    throw new InvalidInputError('--ignore-existing must not be used with non-absolute type path');
  }
  return type;
}

const pollIntervalMs = 100;

/** `ws create`: create the Workspace in the current one, wait until it is Ready, and enter it if asked. */
export async function createWorkspace(
  options: CreateWorkspaceOptions,
  io: IOStreams,
): Promise<WorkspaceObject> {
  const requestedType = validateCreateOptions(options);
  const text = options.output === 'text';
  return withWorkspaceSession(options.kubeconfig, async ({ client, path: parentPath }) => {
    let workspace: WorkspaceObject;
    let existed = false;
    try {
      workspace = await client.post<WorkspaceObject>(workspacesPath(parentPath), {
        apiVersion: 'tenancy.kcp.io/v1alpha1',
        kind: 'Workspace',
        metadata: { name: options.name },
        spec: requestedType ? { type: requestedType } : {},
      });
    } catch (error) {
      if (!isStatusCode(error, 409)) throw error;
      if (!options.ignoreExisting) throw new ConflictError(error.message);
      existed = true;
      workspace = await client.get<WorkspaceObject>(workspacePath(parentPath, options.name));
      assertSameType(options.name, requestedType, workspace);
    }
    const type = formatWorkspaceType(workspace.spec?.type) ?? '';
    const ready = workspace.status?.phase === 'Ready';
    if (text) {
      const what = `Workspace "${options.name}" (type ${type})`;
      if (existed) io.out(`${what} already exists.${ready ? '' : ' Waiting for it to be ready...'}`);
      else io.out(`${what} created. Waiting for it to be ready...`);
    }
    if (!ready)
      workspace = await waitUntilReady(client, parentPath, options.name, options.readyTimeoutMs ?? 60_000);
    if (text && !(existed && ready)) io.out(`Workspace "${options.name}" (type ${type}) is ready to use.`);
    if (options.enter) {
      // With -o json the switch stays quiet, so stdout holds one document.
      const enterOutput = text ? io : { ...io, out: () => {} };
      await useWorkspace(
        {
          kubeconfig: options.kubeconfig,
          target: `:${parentPath}:${options.name}`,
          short: false,
          output: 'text',
        },
        enterOutput,
      );
    }
    if (!text) await printData(io, options.output, workspace);
    return workspace;
  });
}

function assertSameType(
  name: string,
  requested: WorkspaceTypeReference | undefined,
  existing: WorkspaceObject,
): void {
  if (!requested) return;
  const actual = existing.spec?.type;
  if (actual?.name === requested.name && (requested.path === undefined || actual.path === requested.path))
    return;
  throw new ConflictError(
    `workspace "${name}" cannot be created with type ${formatWorkspaceType(requested)}, it already exists with different type ${formatWorkspaceType(actual)}`,
  );
}

function waitUntilReady(
  client: RestClient,
  parentPath: string,
  name: string,
  timeoutMs: number,
): Promise<WorkspaceObject> {
  return pollUntil(
    () => client.get<WorkspaceObject>(workspacePath(parentPath, name)),
    (workspace) => workspace.status?.phase === 'Ready',
    {
      timeoutMs,
      intervalMs: pollIntervalMs,
      timedOut: (workspace) =>
        new KplaneError(
          `workspace "${name}" created but is not ready to use (phase ${workspace.status?.phase})`,
        ),
    },
  );
}
