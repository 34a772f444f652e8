/**
 * Writes bundles to disk all at once: into a temporary folder beside the target, then swapped in per stack, so a
 * failure never leaves a partial bundle where an app build would pick it up. When the target already holds
 * exactly these bundles (a re-run with the same inputs and `--now`), nothing is written: swapping in a copy
 * cost creating and deleting four files per application (about 1 s of the 1.5 s of a run for 500 applications
 * on a busy runner), where reading them back costs a tenth of that.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { BUNDLE_FILES } from "../../packages/verifier/src/format";
import type { AppBundle } from "./compute";

export function writeBundles(outDir: string, stack: string, bundles: readonly AppBundle[]): string[] {
  if (holdsExactly(path.join(outDir, stack), stack, bundles)) return bundles.map((b) => path.join(outDir, b.path));
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(path.join(outDir, `.${stack}-staging-`));
  try {
    const written: string[] = [];
    for (const b of bundles) {
      const dir = path.join(staging, path.relative(stack, b.path));
      mkdirSync(dir, { recursive: true });
      for (const name of BUNDLE_FILES) writeFileSync(path.join(dir, name), b.files[name]);
      written.push(path.join(outDir, b.path));
    }
    const target = path.join(outDir, stack);
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(staging, target);
    rmSync(old, { recursive: true, force: true });
    return written;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Whether `target` holds these bundles byte for byte and nothing else (no other application, no other file). */
function holdsExactly(target: string, stack: string, bundles: readonly AppBundle[]): boolean {
  const expected = new Map(bundles.map((b) => [path.relative(stack, b.path), b]));
  try {
    let apps = 0;
    for (const tenant of readdirSync(target)) {
      const tenantApps = readdirSync(path.join(target, tenant));
      if (tenantApps.length === 0) return false;
      for (const app of tenantApps) {
        const b = expected.get(path.join(tenant, app));
        const dir = path.join(target, tenant, app);
        if (b === undefined || readdirSync(dir).length !== BUNDLE_FILES.length) return false;
        for (const name of BUNDLE_FILES) if (readFileSync(path.join(dir, name), "utf8") !== b.files[name]) return false;
        apps++;
      }
    }
    return apps === expected.size;
  } catch {
    // Missing, or not the folders and files a bundle is made of: written afresh.
    return false;
  }
}

/** The files of an existing bundle, by name; absent files are left out. */
export function readBundleFiles(dir: string): Partial<Record<string, string>> {
  const files: Partial<Record<string, string>> = {};
  for (const name of BUNDLE_FILES) {
    const file = path.join(dir, name);
    if (existsSync(file)) files[name] = readFileSync(file, "utf8");
  }
  return files;
}
