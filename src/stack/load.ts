/**
 * The file-system edge of the policy core: reads presets, sensitivity levels, schemas and stack files from a
 * repository and hands their text to the pure core.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { type Diagnostic, formatDiagnostic, hasErrors, normalizeDiagnostics } from "../diagnostics/diagnostic";
import type { PolicySchemas } from "../diagnostics/schema-check";
import { type ParsedDocument, parseYamlSource } from "../diagnostics/yaml-source";
import { compileStack } from "./compile";
import type { DesiredState } from "./desired-state";
import { sharedFileOf } from "./environment";
import { isLoopbackUrl, withLocalPort } from "./local-url";
import { isStackName, stackNameProblem } from "./stack-name";

export { formatDiagnostic };

export const PRESETS_DIR = join("policies", "presets");
export const LEVELS_FILE = join("policies", "sensitivity-levels.yaml");
export const SCHEMA_DIR = join("policies", "schema");
export const STACKS_DIR = "stacks";

/** The policy inputs of a repository, parsed. */
export interface PolicySources {
  presets: ParsedDocument[];
  levels: ParsedDocument;
  schemas: PolicySchemas;
  /** YAML syntax errors and unreadable files. */
  diagnostics: Diagnostic[];
}

/**
 * `stacks/Pulumi.<stack>.yaml` of a repository.
 *
 * @throws {TypeError} when `stack` is not a {@link isStackName stack name}: a path is never built from one.
 */
export function stackFilePath(repoRoot: string, stack: string): string {
  if (!isStackName(stack)) throw new TypeError(stackNameProblem(stack));
  return join(repoRoot, STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** The stack name of a `Pulumi.<stack>.yaml` file name, or `undefined` (also for a name that is not safe). */
export function stackNameOf(file: string): string | undefined {
  const m = /(?:^|[\\/])Pulumi\.([^\\/]+)\.ya?ml$/.exec(file);
  const name = m?.[1];
  return name !== undefined && isStackName(name) ? name : undefined;
}

/** The nearest directory, from `start` upwards, holding `policies/presets`; `undefined` when there is none. */
export function findRepoRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, PRESETS_DIR))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** A path as diagnostics show it: relative to the repository when inside it. */
export function displayPath(repoRoot: string, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(file);
  const rel = relative(repoRoot, abs);
  return rel.startsWith("..") || isAbsolute(rel) ? file : rel.split(sep).join("/");
}

/** Reads and parses one YAML file; a missing file becomes a `KIT_FILE_NOT_FOUND` diagnostic. */
export function readYamlFile(repoRoot: string, file: string): { doc: ParsedDocument; diagnostics: Diagnostic[] } {
  const path = displayPath(repoRoot, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(isAbsolute(file) ? file : resolve(repoRoot, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? "KIT_FILE_NOT_FOUND" : "KIT_FILE_UNREADABLE";
    const message =
      code === "KIT_FILE_NOT_FOUND"
        ? "file does not exist"
        : `cannot read the file (${(e as NodeJS.ErrnoException).code ?? "error"})`;
    return {
      doc: { path, value: undefined, locate: () => ({ line: 1, column: 1 }) },
      diagnostics: [{ severity: "error", code, message, file: path, line: 1, column: 1, pointer: "" }],
    };
  }
  const text = decodeUtf8(bytes);
  if (typeof text !== "string") {
    return {
      doc: { path, value: undefined, locate: () => ({ line: 1, column: 1 }) },
      diagnostics: [{ severity: "error", ...text, file: path, pointer: "" }],
    };
  }
  return parseYamlSource({ path, text });
}

/**
 * The text of a UTF-8 file, or where its first invalid byte sequence is: YAML is UTF-8, and decoding leniently
 * would silently turn a broken name into U+FFFD replacement characters that then reach FusionAuth.
 */
export function decodeUtf8(
  bytes: Uint8Array,
): string | { code: "KIT_FILE_ENCODING"; message: string; line: number; column: number } {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder("utf-8").decode(bytes);
    // The first U+FFFD that the file did not spell as its own UTF-8 bytes (EF BF BD) marks the invalid sequence.
    let index = lenient.indexOf("\uFFFD");
    while (index >= 0) {
      const offset = Buffer.byteLength(lenient.slice(0, index), "utf8");
      if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) break;
      index = lenient.indexOf("\uFFFD", index + 1);
    }
    const before = lenient.slice(0, Math.max(index, 0)).split("\n");
    const line = before.length;
    const column = (before[before.length - 1] ?? "").length + 1;
    const byte = Buffer.byteLength(lenient.slice(0, Math.max(index, 0)), "utf8");
    return {
      code: "KIT_FILE_ENCODING",
      message: `invalid UTF-8 at byte ${byte} (0x${(bytes[byte] ?? 0).toString(16).padStart(2, "0")}); save the file as UTF-8`,
      line,
      column,
    };
  }
}

/** The YAML files of a directory, sorted by name (so output never depends on directory order). */
export function listYaml(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Reads the presets, the sensitivity levels and the schemas of a repository. */
export function loadPolicySources(repoRoot: string): PolicySources {
  const diagnostics: Diagnostic[] = [];
  const presets = listYaml(join(repoRoot, PRESETS_DIR)).map((f) => {
    const r = readYamlFile(repoRoot, f);
    diagnostics.push(...r.diagnostics);
    return r.doc;
  });
  const levels = readYamlFile(repoRoot, join(repoRoot, LEVELS_FILE));
  diagnostics.push(...levels.diagnostics);
  const json = (name: string) =>
    JSON.parse(readFileSync(join(repoRoot, SCHEMA_DIR, `${name}.schema.json`), "utf8")) as object;
  const schemas: PolicySchemas = { preset: json("preset"), stack: json("stack"), levels: json("sensitivity-levels") };
  return { presets, levels: levels.doc, schemas, diagnostics };
}

/** Compiles one stack file against a repository's presets; every problem of either is in `diagnostics`. */
export function compileStackFile(
  repoRoot: string,
  file: string,
  sources: PolicySources = loadPolicySources(repoRoot),
): { state?: DesiredState; diagnostics: Diagnostic[] } {
  const stackName = stackNameOf(file);
  if (stackName === undefined) {
    const name = /Pulumi\.(.*)\.ya?ml$/s.exec(file)?.[1] ?? file;
    const path = displayPath(repoRoot, file);
    const invalid: Diagnostic = {
      severity: "error",
      code: "KIT_STACK_NAME_INVALID",
      message: `${stackNameProblem(name)}; rename the file`,
      file: path,
      line: 1,
      column: 1,
      pointer: "",
    };
    return { diagnostics: normalizeDiagnostics([...sources.diagnostics, invalid]) };
  }
  const stack = readYamlFile(repoRoot, file);
  // The shared file sits beside the stack file (stacks/), whatever the current directory.
  const sharedName = sharedFileOf(stack.doc);
  const shared =
    sharedName === undefined ? undefined : readYamlFile(repoRoot, join(dirname(resolve(repoRoot, file)), sharedName));
  const result = compileStack({
    stackName,
    stack: stack.doc,
    presets: sources.presets,
    levels: sources.levels,
    schemas: sources.schemas,
    shared: shared?.doc,
  });
  const diagnostics = normalizeDiagnostics([
    ...sources.diagnostics,
    ...stack.diagnostics,
    ...(shared?.diagnostics ?? []),
    ...result.diagnostics,
  ]);
  return hasErrors(diagnostics) ? { diagnostics } : { state: result.state, diagnostics };
}

/**
 * Where this machine's FusionAuth listens for a stack on localhost: a port (`undefined`: the stack's own), or why
 * it cannot say. The caller knows (the CLI, the program and the scripts ask this checkout's emulators:
 * `localEmulatorPort`); a stack never asks the emulator itself.
 */
export type LocalPortLookup = () => { port: number | undefined } | { error: string };

/**
 * The one entry of the Pulumi program and the CLI: loads `stacks/Pulumi.<stack>.yaml` with the presets and floors
 * of `repoRoot` and compiles it. A loopback URL, and the issuers on it, take the port `localPort` answers (this
 * checkout's FusionAuth), so every command and the program use the same URL; any other URL, or any URL without
 * `localPort`, is used as written. Any error
 * returns diagnostics only. Each warning is returned once: a tenant's or application's own warnings stay in the
 * state ({@link stateWarnings}); `warnings` holds only the others (the API key, unused waivers, the presets).
 */
export function loadDesiredState(options: {
  repoRoot: string;
  stack: string;
  localPort?: LocalPortLookup;
}): { state: DesiredState; warnings: Diagnostic[] } | { diagnostics: Diagnostic[] } {
  const result = compileStackFile(options.repoRoot, stackFilePath(options.repoRoot, options.stack));
  if (result.state === undefined) return { diagnostics: result.diagnostics };
  const inState = new Set(stateWarnings(result.state));
  const warnings = result.diagnostics.filter((d) => !inState.has(d));
  // Only a stack on this machine asks which emulator: a deployed stack's URL never depends on local emulators.
  if (options.localPort === undefined || !isLoopbackUrl(result.state.url)) return { state: result.state, warnings };
  const local = options.localPort();
  if ("error" in local) {
    const file = displayPath(options.repoRoot, stackFilePath(options.repoRoot, options.stack));
    const where = { file, line: 1, column: 1, pointer: "/config/fusionauth-offline-kit:url" };
    return { diagnostics: [{ severity: "error", code: "KIT_EMULATOR_AMBIGUOUS", message: local.error, ...where }] };
  }
  return { state: withLocalPort(result.state, local.port), warnings };
}

/** The warnings a state carries on its tenants and applications. */
export function stateWarnings(state: DesiredState): Diagnostic[] {
  return state.tenants.flatMap((t) => [...t.warnings, ...t.applications.flatMap((a) => a.warnings)]);
}
