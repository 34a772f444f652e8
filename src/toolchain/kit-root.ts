/**
 * Where the kit's own checkout is. Not `__dirname` plus a fixed number of `..`: `fakit` runs this code from a
 * precompiled bundle in `node_modules/.cache/fusionauth-offline-kit/` (src/toolchain/precompiled.js), where
 * esbuild leaves `__dirname` as the bundle's folder, three levels deeper than src/toolchain. Both places lie
 * inside the checkout, so the nearest folder upwards holding `Pulumi.yaml` is right from either.
 */
import { existsSync } from "node:fs";
import path from "node:path";

/** The nearest folder from `start` upwards that holds `Pulumi.yaml`, else `start`'s filesystem root. */
export function findKitRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, "Pulumi.yaml")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The repository root (where Pulumi.yaml, scripts/ and src/ live), from source or from the bundle. */
export const REPO_ROOT = findKitRoot(__dirname);
