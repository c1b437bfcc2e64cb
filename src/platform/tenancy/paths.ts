// Workspace paths (kcp's logicalcluster.Path): lower-case DNS-label segments joined by ':'.

const SEGMENT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const ROOT_PATH = 'root';
export const ROOT_CLUSTER_ID = 'root';

export function isValidSegment(segment: string): boolean {
  return SEGMENT.test(segment);
}

export function isValidClusterPath(path: string): boolean {
  return path.length > 0 && path.split(':').every(isValidSegment);
}

/**
 * Decodes the `<cluster>` URL segment exactly once and validates it. Anything that does not decode
 * cleanly into a valid path is rejected, so `root%253Aacme` or `root/acme` never reach a lookup.
 */
export function parseClusterSegment(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return isValidClusterPath(decoded) ? decoded : undefined;
}

export function joinPath(parent: string, name: string): string {
  return parent ? `${parent}:${name}` : name;
}

/** The parent path, or undefined for a top-level path such as `root`. */
export function parentPath(path: string): string | undefined {
  const at = path.lastIndexOf(':');
  return at < 0 ? undefined : path.slice(0, at);
}
