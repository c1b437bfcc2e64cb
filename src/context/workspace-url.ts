// Workspace server URLs: `<base>/clusters/<path>` (kcp pkg/helpers.ParseClusterURL).
import { isValidWorkspacePath } from './workspace-path.js';

const CLUSTERS = '/clusters/';
// scheme://authority, then the path up to any query or fragment.
const URL_PARTS = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*)([^?#]*)/;
const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;

export interface WorkspaceUrl {
  /** Everything before `/clusters/`, spelled as in the kubeconfig (host case, port, any path prefix). */
  base: string;
  /** The logical-cluster path, e.g. `root:org:team`. */
  path: string;
}

/**
 * Splits a server URL into base and workspace path, or returns undefined when it is not a workspace URL
 * (no `/clusters/`, e.g. `/services/...`; an empty or invalid path segment; an unparsable URL).
 * The text after the path segment (`/clusters/root:a/abc`) is dropped, as in kcp. The base is cut from the
 * original string rather than re-serialised, so writing it back changes only the path; a query or fragment on
 * the server URL is not part of the base.
 */
export function parseWorkspaceUrl(server: string): WorkspaceUrl | undefined {
  if (BAD_ESCAPE.test(server)) return undefined; // Go's url.Parse rejects these; WHATWG URL would not.
  try {
    new URL(server);
  } catch {
    return undefined;
  }
  const parts = URL_PARTS.exec(server);
  if (!parts) return undefined;
  const authority = parts[1] ?? '';
  const rawPath = parts[2] ?? '';
  const at = rawPath.indexOf(CLUSTERS);
  if (at < 0) return undefined;
  const segment = rawPath.slice(at + CLUSTERS.length).split('/', 1)[0] ?? '';
  let path: string;
  try {
    path = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  if (!isValidWorkspacePath(path)) return undefined;
  return { base: authority + rawPath.slice(0, at), path };
}

/** The server URL of a workspace: `<base>/clusters/<path>` (trailing slashes of base dropped, like path.Join). */
export function workspaceUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${CLUSTERS}${path}`;
}
