import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkStorageConfig,
  STORAGE_CONFIG_FILE,
  type StorageConfig,
} from '../../shared/storage-config-file.js';
import { writeFileAtomic } from '../process/atomic-write.js';
import { OWNER_ONLY_FILE } from '../process/owner-only.js';

// The platform's side of storage.json (what it holds and how it is read: src/shared/storage-config-file.ts).

export {
  readStorageConfig,
  STORAGE_CONFIG_FILE,
  StorageConfigError,
  type StorageConfig,
} from '../../shared/storage-config-file.js';

/** Writes the folder's storage.json (owner-only, atomically); refuses a config it would not read back. */
export function writeStorageConfig(dataDir: string, config: StorageConfig): void {
  const file = join(dataDir, STORAGE_CONFIG_FILE);
  const checked = checkStorageConfig(file, config);
  writeFileAtomic(file, `${JSON.stringify(checked, null, 2)}\n`, OWNER_ONLY_FILE);
}

/** Removes the folder's storage.json, if any: the platform runs on the folder's own database. */
export function forgetStorageConfig(dataDir: string): void {
  rmSync(join(dataDir, STORAGE_CONFIG_FILE), { force: true });
}
