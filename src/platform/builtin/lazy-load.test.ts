import { expect, it, vi } from 'vitest';

it('registers every built-in kind without reading the published definitions, and reads them once on first use', async () => {
  vi.resetModules();
  const { publishedDefinitionsLoaded } = await import('./published-definitions.js');
  const { builtinRegistry } = await import('../api/resources/index.js');
  const registry = builtinRegistry({} as Parameters<typeof builtinRegistry>[0]);
  // What discovery, routing, tables and watches read of every kind.
  for (const def of registry.all()) {
    void [def.group, def.version, def.resource, def.kind, def.scope, def.verbs, def.shortNames];
    void [def.categories, def.subresources, def.columns, def.schemaName, def.views, def.protobuf];
  }
  expect(publishedDefinitionsLoaded()).toBe(false);
  const deployments = registry.find(undefined, 'apps', 'v1', 'deployments')!;
  expect(deployments.schema.properties?.spec).toBeDefined();
  expect(publishedDefinitionsLoaded()).toBe(true);
});
