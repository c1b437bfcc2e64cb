/** What `/version` reports: a Kubernetes 1.32 server, so kubectl 1.32 sees no version skew. */
export const PLATFORM_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+kplane',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'node',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
