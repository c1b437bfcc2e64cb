import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { isProcessAlive } from '../shared/process-alive.js';

type RunHotCommand = (argv: readonly string[]) => Promise<number | undefined>;

interface LoadedBundle {
  exports: unknown;
  saveCodeCache(): void;
}

/**
 * Loads the bundled hot path with a V8 code cache, so the commands people and kubectl wait on skip compiling
 * the same code on every run (Node 20 has no module compile cache; this is what v8-compile-cache did for
 * CommonJS). The YAML parser is a bundle of its own (dist/yaml.cjs), loaded the same way only when a command
 * needs it: `ws --short`, `auth token` and a quick `ws use` never do, and they no longer read it. Caches are
 * keyed by the bundle's size and mtime and the Node version, and are only an optimisation: any problem with one
 * falls back to compiling afresh. `beforeRequire` sees every module the hot path asks for before it is loaded
 * (the launcher adds the deferred NODE_EXTRA_CA_CERTS before `tls`).
 */
export function loadHotPath(beforeRequire: (id: string) => void = () => {}): {
  runHotCommand: RunHotCommand;
  saveCodeCache(): void;
} {
  const dist = fileURLToPath(new URL('..', import.meta.url));
  const loaded: LoadedBundle[] = [];
  const load = (file: string, requireFn: NodeJS.Require): unknown => {
    const bundle = loadCachedBundle(file, requireFn);
    loaded.push(bundle);
    return bundle.exports;
  };
  const hotPath = path.join(dist, 'hot-path.cjs');
  const nodeRequire = createRequire(hotPath);
  let yaml: unknown;
  const hotRequire = Object.assign((id: string) => {
    beforeRequire(id);
    return id === 'yaml' ? (yaml ??= load(path.join(dist, 'yaml.cjs'), nodeRequire)) : nodeRequire(id);
  }, nodeRequire) as NodeJS.Require;
  const { runHotCommand } = load(hotPath, hotRequire) as { runHotCommand: RunHotCommand };
  return {
    runHotCommand,
    saveCodeCache: () => {
      for (const bundle of loaded) bundle.saveCodeCache();
    },
  };
}

function loadCachedBundle(bundle: string, requireFn: NodeJS.Require): LoadedBundle {
  const source = readFileSync(bundle, 'utf8');
  const cacheFile = codeCacheFile(bundle);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = { exports: {} };
  const init = script.runInThisContext() as (...args: unknown[]) => void;
  init.call(module.exports, module.exports, requireFn, module, bundle, path.dirname(bundle));
  return {
    get exports() {
      return module.exports;
    },
    // After the command ran, the cache also holds the functions it compiled lazily.
    saveCodeCache: () => {
      if (cachedData && !script.cachedDataRejected) return;
      try {
        mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
        renameSync(temp, cacheFile);
        // Caches of earlier builds or Node versions will never match again.
        const prefix = `${path.basename(bundle, '.cjs')}-`;
        // So will temp files of runs killed before their rename, once their pid is gone.
        for (const old of readdirSync(path.dirname(cacheFile))) {
          if (!old.startsWith(prefix) || old === path.basename(cacheFile)) continue;
          const tempOf = /\.bin\.(\d+)\.tmp$/.exec(old);
          if (old.endsWith('.bin') || (tempOf && !isProcessAlive(Number(tempOf[1])))) {
            rmSync(path.join(path.dirname(cacheFile), old), { force: true });
          }
        }
      } catch {
        // a cache that cannot be written only costs speed
      }
    },
  };
}

function codeCacheFile(bundle: string): string {
  const stat = statSync(bundle);
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || homedir(), '.cache');
  const key = `${process.version}-${stat.size}-${Math.trunc(stat.mtimeMs)}`;
  return path.join(cacheHome, 'kplane', 'code-cache', `${path.basename(bundle, '.cjs')}-${key}.bin`);
}
