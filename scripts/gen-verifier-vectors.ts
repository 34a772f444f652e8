/**
 * `npm run gen:vectors`: writes the offline verifier's conformance vectors to test/vectors/ (see
 * scripts/verifier-vectors/build.ts). Rerunning it on an unchanged tree writes the same bytes; the vectors test
 * fails when the committed files are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildVectors, VECTORS_DIR } from "./verifier-vectors/build";

async function main(): Promise<void> {
  const { files, cases } = await buildVectors();
  // Cases and bundles no longer built are removed; keys.json is kept (it is rewritten from what was loaded).
  for (const dir of ["cases", "bundles"]) rmSync(path.join(VECTORS_DIR, dir), { recursive: true, force: true });
  for (const [rel, text] of files) {
    const file = path.join(VECTORS_DIR, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const count = readdirSync(path.join(VECTORS_DIR, "cases")).length;
  console.log(`wrote ${count} cases (${cases.length} built) and ${files.size - count} other files to ${VECTORS_DIR}`);
}

main().catch((err) => {
  console.error(`gen-verifier-vectors: ${(err as Error).message}`);
  process.exitCode = 1;
});
