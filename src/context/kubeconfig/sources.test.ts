import { delimiter } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeconfigEnvFiles, kubeconfigSources } from './sources.js';

const home = '/home/me';
const list = (...files: string[]) => files.join(delimiter);

describe('kubeconfigSources (client-go loading rules, kubectl PathOptions destination)', () => {
  const table: {
    name: string;
    explicitPath?: string;
    KUBECONFIG?: string;
    existing?: string[];
    files: string[];
    destination: string;
  }[] = [
    {
      name: 'nothing set → ~/.kube/config',
      files: ['/home/me/.kube/config'],
      destination: '/home/me/.kube/config',
    },
    {
      name: '--kubeconfig wins over KUBECONFIG',
      explicitPath: '/x/k',
      KUBECONFIG: list('/a', '/b'),
      files: ['/x/k'],
      destination: '/x/k',
    },
    {
      name: 'one KUBECONFIG entry is the destination, existing or not',
      KUBECONFIG: '/a',
      files: ['/a'],
      destination: '/a',
    },
    {
      name: 'several: the first existing one',
      KUBECONFIG: list('/a', '/b', '/c'),
      existing: ['/b', '/c'],
      files: ['/a', '/b', '/c'],
      destination: '/b',
    },
    {
      name: 'several, none exists: the last',
      KUBECONFIG: list('/a', '/b'),
      files: ['/a', '/b'],
      destination: '/b',
    },
    {
      name: 'duplicates removed keeping the first, empties dropped',
      KUBECONFIG: list('', '/a', '/b', '/a', ''),
      existing: ['/a'],
      files: ['/a', '/b'],
      destination: '/a',
    },
    {
      name: 'only empty entries: as if unset',
      KUBECONFIG: list('', ''),
      files: ['/home/me/.kube/config'],
      destination: '/home/me/.kube/config',
    },
    {
      name: 'empty --kubeconfig is ignored',
      explicitPath: '',
      KUBECONFIG: '/a',
      files: ['/a'],
      destination: '/a',
    },
  ];
  it.each(table)('$name', ({ explicitPath, KUBECONFIG, existing = [], files, destination }) => {
    const got = kubeconfigSources({
      explicitPath,
      env: { KUBECONFIG, HOME: home },
      exists: (f) => existing.includes(f),
    });
    expect(got.files).toEqual(files);
    expect(got.destination).toBe(destination);
    expect(got.explicit).toBe(Boolean(explicitPath));
  });

  it('makes relative entries absolute', () => {
    expect(kubeconfigEnvFiles('rel/config')).toEqual([`${process.cwd()}/rel/config`]);
  });

  it('prefers an explicit homeDir', () => {
    expect(kubeconfigSources({ env: {}, homeDir: '/h' }).files).toEqual(['/h/.kube/config']);
  });
});
