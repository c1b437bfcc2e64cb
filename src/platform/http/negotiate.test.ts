import { describe, expect, it } from 'vitest';
import { negotiateDiscovery, negotiateObjectFormat } from './negotiate.js';

const KUBECTL_GET =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const KUBECTL_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('negotiation', () => {
  it('picks Table for kubectl get', () => {
    expect(negotiateObjectFormat(KUBECTL_GET)).toBe('Table');
  });

  it('falls back to JSON', () => {
    expect(negotiateObjectFormat(undefined)).toBe('json');
    expect(negotiateObjectFormat('*/*')).toBe('json');
    expect(negotiateObjectFormat('application/vnd.kubernetes.protobuf, application/json')).toBe('json');
    expect(negotiateObjectFormat('application/json;as=Table;v=v9;g=meta.k8s.io, application/json')).toBe(
      'json',
    );
  });

  it('refuses what it cannot produce', () => {
    expect(negotiateObjectFormat('application/vnd.kubernetes.protobuf')).toBeUndefined();
  });

  it('answers aggregated discovery only when asked', () => {
    expect(negotiateDiscovery(KUBECTL_DISCOVERY)).toBe('v2');
    expect(negotiateDiscovery('application/json')).toBeUndefined();
    expect(negotiateDiscovery(undefined)).toBeUndefined();
  });
});
