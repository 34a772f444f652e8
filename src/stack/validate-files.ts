/**
 * `fakit validate` behind the CLI: which files to check and how, given paths or nothing (all presets, the
 * sensitivity levels and every stack of the repository).
 */
import { basename, dirname, extname, join, resolve } from "node:path";
import { type Diagnostic, normalizeDiagnostics } from "../diagnostics/diagnostic";
import { KitError } from "../lib/errors";
import { checkPresetCatalog } from "../policy/preset-catalog";
import {
  compileStackFile,
  displayPath,
  LEVELS_FILE,
  listYaml,
  loadPolicySources,
  PRESETS_DIR,
  readYamlFile,
  STACKS_DIR,
} from "./load";

export type FileKind = "preset" | "levels" | "stack" | "shared";

/**
 * What a file is, from its name: `Pulumi.<stack>.yaml`, `sensitivity-levels.yaml`, another YAML beside the stacks
 * (a shared file of several stacks, checked through them) or any other YAML = a preset.
 */
export function classifyFile(file: string): FileKind | undefined {
  const ext = extname(file);
  if (ext !== ".yaml" && ext !== ".yml") return undefined;
  const name = basename(file);
  if (/^Pulumi\..+\.ya?ml$/.test(name)) return "stack";
  if (/^sensitivity-levels\.ya?ml$/.test(name)) return "levels";
  if (basename(dirname(resolve(file))) === STACKS_DIR) return "shared";
  return "preset";
}

export interface ValidationOutcome {
  /** Display paths of the files checked. */
  files: string[];
  diagnostics: Diagnostic[];
}

/**
 * Validates files of a repository; with no files, the presets, the sensitivity levels and every stack.
 * @throws {KitError} `KIT_USAGE` naming the file when a path is not a preset, floors or stack file
 */
export function validateFiles(repoRoot: string, files: readonly string[] = []): ValidationOutcome {
  for (const f of files) {
    if (classifyFile(f) === undefined)
      throw new KitError("KIT_USAGE", `${f}: not a preset, sensitivity-levels or Pulumi stack YAML file`);
  }
  const sources = loadPolicySources(repoRoot);
  const targets =
    files.length > 0
      ? files.map((f) => resolve(f))
      : [
          ...listYaml(join(repoRoot, PRESETS_DIR)),
          join(repoRoot, LEVELS_FILE),
          // Shared files are checked through the stacks that name them.
          ...listYaml(join(repoRoot, STACKS_DIR)).filter((f) => classifyFile(f) === "stack"),
        ];
  const diagnostics: Diagnostic[] = [];
  const checked: string[] = [];
  for (const target of targets) {
    const path = displayPath(repoRoot, target);
    checked.push(path);
    const kind = classifyFile(target) as FileKind;
    if (kind === "shared") {
      // A shared file is compiled with every stack beside it that names it; its own problems are reported.
      for (const stack of listYaml(dirname(target)).filter((f) => classifyFile(f) === "stack")) {
        diagnostics.push(...compileStackFile(repoRoot, stack, sources).diagnostics.filter((d) => d.file === path));
      }
      continue;
    }
    if (kind === "stack") {
      // A stack is compiled against the repository's presets; their problems are reported with it.
      diagnostics.push(...compileStackFile(repoRoot, target, sources).diagnostics);
      continue;
    }
    const own = readYamlFile(repoRoot, target);
    const presets = kind === "preset" ? [...sources.presets.filter((p) => p.path !== path), own.doc] : sources.presets;
    const levels = kind === "levels" ? own.doc : sources.levels;
    const catalog = checkPresetCatalog({ presets, levels, schemas: sources.schemas });
    // A preset is judged against the floors, so problems of the sensitivity levels are reported with it.
    const levelsPath = levels.path;
    diagnostics.push(
      ...own.diagnostics,
      ...catalog.diagnostics.filter((d) => d.file === path || d.file === levelsPath),
    );
    if (kind === "preset") diagnostics.push(...sources.diagnostics.filter((d) => d.file === levelsPath));
  }
  return { files: checked, diagnostics: normalizeDiagnostics(diagnostics) };
}
