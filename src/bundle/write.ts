/**
 * Writes bundles to disk all at once: into a temporary folder beside the target, then swapped in per stack, so a
 * failure never leaves a partial bundle where an app build would pick it up.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AppBundle } from "./compute";
import { BUNDLE_FILES } from "./format";

export function writeBundles(outDir: string, stack: string, bundles: readonly AppBundle[]): string[] {
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

/** The files of an existing bundle, by name; absent files are left out. */
export function readBundleFiles(dir: string): Partial<Record<string, string>> {
  const files: Partial<Record<string, string>> = {};
  for (const name of BUNDLE_FILES) {
    const file = path.join(dir, name);
    if (existsSync(file)) files[name] = readFileSync(file, "utf8");
  }
  return files;
}
