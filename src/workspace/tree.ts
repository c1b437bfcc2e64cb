import type { RestClient } from '../client/rest-client.js';
import { isStatusCode } from '../client/api-error.js';
import { workspacesPath, type WorkspaceObject } from './workspace-api.js';
import { parseWorkspaceUrl } from '../context/workspace-url.js';

export interface WorkspaceTreeNode {
  name: string;
  path: string;
  type?: string;
  phase?: string;
  url?: string;
  /** The caller may enter this workspace but not list what is below it. */
  childrenHidden?: boolean;
  children: WorkspaceTreeNode[];
}

/** Lists the tree below `path`, one level at a time, siblings in parallel. */
export async function fetchWorkspaceTree(client: RestClient, path: string): Promise<WorkspaceTreeNode> {
  const root: WorkspaceTreeNode = { name: lastSegment(path), path, children: [] };
  await fillChildren(client, root);
  return root;
}

async function fillChildren(client: RestClient, node: WorkspaceTreeNode): Promise<void> {
  let items: WorkspaceObject[];
  try {
    items = (await client.get<{ items?: WorkspaceObject[] }>(workspacesPath(node.path))).items ?? [];
  } catch (error) {
    if (isStatusCode(error, 404)) return;
    if (isStatusCode(error, 403)) {
      node.childrenHidden = true;
      return;
    }
    throw error;
  }
  node.children = items
    .filter((item) => !item.metadata.deletionTimestamp)
    .map((item) => childNode(node.path, item))
    .sort((a, b) => a.name.localeCompare(b.name));
  await Promise.all(node.children.map((child) => fillChildren(client, child)));
}

function childNode(parentPath: string, item: WorkspaceObject): WorkspaceTreeNode {
  const fromUrl = item.spec?.URL ? parseWorkspaceUrl(item.spec.URL)?.path : undefined;
  return {
    name: item.metadata.name,
    path: fromUrl ?? `${parentPath}:${item.metadata.name}`,
    type: formatWorkspaceType(item.spec?.type),
    phase: item.status?.phase,
    url: item.spec?.URL,
    children: [],
  };
}

export function formatWorkspaceType(type: { name?: string; path?: string } | undefined): string | undefined {
  if (!type?.name) return undefined;
  return type.path ? `${type.path}:${type.name}` : type.name;
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf(':') + 1);
}

/** kcp's tree layout: a `.` line, then the current workspace and everything below it. */
export function renderWorkspaceTree(root: WorkspaceTreeNode, options: { full: boolean }): string {
  const lines = ['.'];
  const label = (node: WorkspaceTreeNode) => {
    const name = options.full ? node.path : node.name;
    return node.childrenHidden ? `${name} (children not visible)` : name;
  };
  const walk = (node: WorkspaceTreeNode, prefix: string, isLast: boolean) => {
    lines.push(`${prefix}${isLast ? '└── ' : '├── '}${label(node)}`);
    const childPrefix = prefix + (isLast ? '    ' : '│   ');
    node.children.forEach((child, index) => walk(child, childPrefix, index === node.children.length - 1));
  };
  walk(root, '', true);
  return lines.join('\n');
}

/** The `-o json` shape: the same tree as nested objects. */
export function workspaceTreeDocument(node: WorkspaceTreeNode): Record<string, unknown> {
  return {
    name: node.name,
    path: node.path,
    ...(node.type ? { type: node.type } : {}),
    ...(node.phase ? { phase: node.phase } : {}),
    ...(node.url ? { url: node.url } : {}),
    ...(node.childrenHidden ? { childrenHidden: true } : {}),
    children: node.children.map(workspaceTreeDocument),
  };
}
