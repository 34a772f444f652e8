/**
 * Builds the installable Pulumi components (`npm run build:pulumi`): compiles src/pulumi/package.ts and the
 * providers' entry into packages/pulumi/dist, and copies the presets, sensitivity levels and schemas the
 * components validate against into packages/pulumi/policies. `npm pack packages/pulumi` then makes the tarball.
 */
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../src/toolchain/kit-root";

const pkg = path.join(REPO_ROOT, "packages", "pulumi");
rmSync(path.join(pkg, "dist"), { recursive: true, force: true });
rmSync(path.join(pkg, "policies"), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(pkg, "tsconfig.json")], {
  stdio: "inherit",
});
for (const part of ["presets", "schema", "sensitivity-levels.yaml"])
  cpSync(path.join(REPO_ROOT, "policies", part), path.join(pkg, "policies", part), { recursive: true });
process.stdout.write(`built ${path.relative(REPO_ROOT, pkg)} (dist/, policies/)\n`);
