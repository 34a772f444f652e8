/**
 * The compiled policy-schema validators kept between runs (the edge of src/diagnostics/schema-check.ts): ajv's
 * standalone code, written at the first run after a change of the schemas or of ajv, in the same cache folder as
 * the precompiled bundles (src/toolchain/precompiled.js). Each file is named by a hash of everything the code
 * depends on (the schemas' content, ajv's version, the options), so an edited schema never runs old validators:
 * it misses the cache, is compiled, and its own file is written. Written to a temporary name and renamed, so a
 * run never loads half a file. A cache that cannot be read, loaded or written is no cache: the schemas are
 * compiled as before.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { ValidatorFactory, ValidatorStore } from "../diagnostics/schema-check";
import { REPO_ROOT } from "./kit-root";
import { writeAtomically } from "./write-atomically";

/** The checkout's cache folder, shared with the precompiled bundles. */
export const CACHE_DIR = path.join(REPO_ROOT, "node_modules", ".cache", "fusionauth-offline-kit");

/** A store of validator modules in `dir`. */
export function fileValidatorStore(dir: string = CACHE_DIR): ValidatorStore {
  const fileOf = (key: string) =>
    path.join(dir, `validators-${createHash("sha256").update(key).digest("hex").slice(0, 32)}.js`);
  return {
    load(key) {
      try {
        // A plain `require`: Node.js compiles the module lazily, about 6 ms for the three validators.
        const factory = require(fileOf(key)) as unknown;
        return typeof factory === "function" ? (factory as ValidatorFactory) : undefined;
      } catch {
        return undefined;
      }
    },
    save(key, moduleText) {
      const file = fileOf(key);
      try {
        mkdirSync(dir, { recursive: true });
        writeAtomically(file, moduleText);
      } catch {
        // Not writable (a read-only checkout): the next run compiles again.
      }
    },
  };
}
