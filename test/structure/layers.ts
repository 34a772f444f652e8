/**
 * Reading the repository's import arrows, between files and between folders, and the layer order of
 * docs/design.md section 2: the checker of test/structure/imports.test.ts, given a root so it can read any tree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** The folders whose imports are checked; node_modules and build output are never read. */
const SCANNED = ["src", "packages", "testkit", "scripts", "bench", "bin", "examples", "test"];
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".build", "fixtures", "vectors"]);
const CODE = /\.(ts|js|mjs|cjs)$/;

export function codeFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : codeFiles(full);
    return CODE.test(entry.name) ? [full] : [];
  });
}

/** Relative import, export-from, dynamic import and require specifiers of one file's text. */
export function specifiersOf(text: string): string[] {
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] as string);
}

/** A specifier resolved to an existing file (`x` -> `x`, `x.ts`, `x.js`, `x/index.ts`, `x/index.js`). */
function resolveSpecifier(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [base, `${base}.ts`, `${base}.js`, path.join(base, "index.ts"), path.join(base, "index.js")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Relative imports of one file, resolved to files of `known`. */
export function importsOf(file: string, known: Set<string>): string[] {
  return specifiersOf(readFileSync(file, "utf8"))
    .map((spec) => resolveSpecifier(file, spec))
    .filter((resolved): resolved is string => resolved !== undefined && known.has(resolved));
}

/** The folder a repository file belongs to: `src/<concept>` and `packages/<name>`, else its top-level folder. */
export function folderOf(relative: string): string {
  const parts = relative.split(/[\\/]/);
  if ((parts[0] === "src" || parts[0] === "packages") && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

/** Every cycle found by depth-first search, each as the list of nodes around it. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/** The layer order of docs/design.md (the fenced block after `<!-- layers: highest first -->`), lowest first. */
export function layersOf(designDoc: string): string[][] {
  const block = /<!-- layers: highest first -->\s*```text\n([\s\S]*?)```/.exec(designDoc);
  if (block === null) throw new Error("docs/design.md has no layer list (<!-- layers: highest first -->)");
  const lines = (block[1] as string).split("\n").map((line) => line.trim().split(/\s+/).filter(Boolean));
  return lines.filter((line) => line.length > 0).reverse();
}

/** One import between two folders: `from` folder, `to` folder and the file arrow that makes it. */
export interface FolderArrow {
  from: string;
  to: string;
  file: string;
}

/**
 * The arrows the layers forbid: to a folder of the same or a higher layer, or from or to a folder the layers do
 * not name. Each as `from -> to (file -> imported file)`.
 */
export function layerViolations(arrows: readonly FolderArrow[], layers: readonly string[][]): string[] {
  const rank = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
  const problems = new Set<string>();
  for (const a of arrows) {
    const from = rank.get(a.from);
    const to = rank.get(a.to);
    if (from === undefined) problems.add(`${a.from} is in no layer of docs/design.md (${a.file})`);
    else if (to === undefined) problems.add(`${a.to} is in no layer of docs/design.md (${a.file})`);
    else if (to >= from) problems.add(`${a.from} -> ${a.to} (${a.file})`);
  }
  return [...problems].sort();
}

/** The arrows between folders of the repository at `root` (file arrows inside one folder are left out). */
export function folderArrows(root: string): FolderArrow[] {
  const files = SCANNED.flatMap((top) => codeFiles(path.join(root, top)));
  const known = new Set(files);
  const rel = (file: string) => path.relative(root, file);
  return files.flatMap((file) =>
    importsOf(file, known)
      .map((target) => ({
        from: folderOf(rel(file)),
        to: folderOf(rel(target)),
        file: `${rel(file)} -> ${rel(target)}`,
      }))
      .filter((a) => a.from !== a.to),
  );
}
