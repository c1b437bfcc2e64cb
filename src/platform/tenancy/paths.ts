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

export function joinPath(parent: string, name: string): string {
  return parent ? `${parent}:${name}` : name;
}

/** The parent path, or undefined for a top-level path such as `root`. */
export function parentPath(path: string): string | undefined {
  const at = path.lastIndexOf(':');
  return at < 0 ? undefined : path.slice(0, at);
}
