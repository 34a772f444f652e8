/**
 * `fakit import --url URL --stack NAME [--force] [--timeout S]`: reads a live FusionAuth with a read-only API key
 * (from FUSIONAUTH_API_KEY, never the command line) and writes stacks/Pulumi.NAME.yaml: each tenant on its closest
 * preset, the overrides and waivers that keep today's behaviour, the existing ids adopted, each signing key as
 * `keys.adopted` (the current generation for one rotation period from `--now`). Prints what the match kept as
 * overrides (what choosing the bare preset would change), what `up` will still change, and until when each
 * adopted key signs.
 * Writes nothing when reading or compiling fails or a tenant is managed by another stack file (without --force),
 * and never overwrites a stack file without --force. The server is not trusted: see src/import/read.ts for the
 * limits; every line printed goes through {@link escapeForTerminal}, since most hold the server's strings.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { formatDiagnostic } from "../../diagnostics/diagnostic";
import { ImportError } from "../../import/import-error";
import { type ManagedTenant, managedTenants } from "../../import/managed-stacks";
import { type ImportResult, importStack } from "../../import/map";
import { DEFAULT_TIMEOUT_SECONDS, readLiveInstance } from "../../import/read";
import { formatInstant } from "../../lib/instant";
import { escapeForTerminal } from "../../lib/terminal-text";
import { YamlWriteError } from "../../lib/yaml-writer";
import { checkPresetCatalog } from "../../policy/preset-catalog";
import type { EffectivePolicy } from "../../policy/types";
import { loadPolicySources, stackFilePath } from "../../stack/load";
import { parseCommandLine, parseInstant, requireStackName, UsageError } from "../args";
import { reportKitError } from "../exit-status";
import { requireRepoRoot } from "../load-stack";

const USAGE = `usage: fakit import --url URL --stack NAME [--include-tenant KEY]... [--force] [--now ISO] [--timeout SECONDS]

Reads the tenants, applications and keys of the FusionAuth at URL and writes stacks/Pulumi.NAME.yaml.
The API key comes from FUSIONAUTH_API_KEY; it needs only GET on /api/tenant, /api/application and /api/key
(docs/least-privilege.md). An existing stack file is kept unless --force is given; so is a tenant another
stack file of the project manages.
A tenant that up would have to change (an HS* signing key, an issuer that is not an http(s) URL, as in
FusionAuth's own Default tenant) is left out with a note; --include-tenant KEY writes it anyway.
Each tenant's signing key is written as keys.adopted: it stays the signing key for one rotation period from the
import time (--now, default the clock), so the first pulumi up creates no key.
The reads end within --timeout seconds (default ${DEFAULT_TIMEOUT_SECONDS}); a response over 16 MiB, a redirect to another
origin or a response of another shape stops the import.
Exit status: 0 written, 1 nothing written (unreachable, key refused, bad response, stack exists, tenant managed
elsewhere, not expressible), 2 usage.`;

const SPEC = {
  command: "import",
  usage: USAGE,
  options: {
    url: { type: "string" },
    stack: { type: "string", short: "s" },
    force: { type: "boolean", default: false },
    "include-tenant": { type: "string", multiple: true },
    now: { type: "string" },
    timeout: { type: "string" },
  },
} as const;

/** Where the command reads and writes: the process, or a test running it in-process. */
export interface ImportIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** One line of standard output / error, without its line break. */
  out(line: string): void;
  err(line: string): void;
}

/**
 * The FusionAuth base URL from `--url`: http(s), no credentials (they would go to the server and into the stack
 * file; the key comes from FUSIONAUTH_API_KEY), no query or fragment, no trailing slash. The messages never repeat
 * the URL, which may hold a password.
 */
export function baseUrl(raw: string | undefined): string {
  const example = "e.g. https://auth.example.com";
  if (raw === undefined) throw new UsageError(SPEC, `--url needs the FusionAuth base URL, ${example}`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(SPEC, `--url is not a URL; give the FusionAuth base URL, ${example}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new UsageError(SPEC, `--url must be an http(s) URL, ${example}`);
  if (u.username !== "" || u.password !== "")
    throw new UsageError(
      SPEC,
      "--url holds credentials (user:password@); refused, so they reach neither FusionAuth nor the stack file: give the URL without them (the API key comes from FUSIONAUTH_API_KEY)",
    );
  if (u.search !== "" || u.hash !== "")
    throw new UsageError(SPEC, `--url has a query or fragment; give the FusionAuth base URL, ${example}`);
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

function timeoutOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 3600)
    throw new UsageError(SPEC, "--timeout needs a whole number of seconds from 1 to 3600");
  return n;
}

export async function run(argv: string[]): Promise<number> {
  return importCommand(argv, {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}

/**
 * The command itself; reports the import's failures through `io` with their codes, and throws only a
 * {@link UsageError} or `KIT_REPO_NOT_FOUND` (exit 2, which `main` reports) and kit bugs.
 */
export async function importCommand(argv: string[], io: ImportIo): Promise<number> {
  const say = (line = "") => io.out(escapeForTerminal(line));
  const complain = (line: string) => io.err(escapeForTerminal(line));
  const nothingWritten = (e: ImportError | YamlWriteError): number =>
    reportKitError("import", e, { print: complain, outcome: "nothing written" });
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return 0;
  const values = { ...parsed.values, stack: requireStackName(parsed.values.stack, SPEC) };
  const now = Math.floor((parseInstant("--now", values.now, SPEC) ?? new Date()).getTime() / 1000);
  const url = baseUrl(values.url);
  const timeoutSeconds = timeoutOf(values.timeout);
  const apiKey = io.env.FUSIONAUTH_API_KEY;
  if (apiKey === undefined || apiKey === "")
    throw new UsageError(SPEC, "set FUSIONAUTH_API_KEY to a read-only API key (see docs/least-privilege.md)");
  const repoRoot = requireRepoRoot(io.cwd);
  const target = stackFilePath(repoRoot, values.stack);
  const shown = relative(io.cwd, target);
  if (existsSync(target) && values.force !== true)
    return reportKitError("import", new ImportError("KIT_IMPORT_STACK_EXISTS", `${shown} exists`), {
      print: complain,
      outcome: "nothing written (add --force to replace it)",
    });

  let live: Awaited<ReturnType<typeof readLiveInstance>>;
  try {
    live = await readLiveInstance(url, apiKey, { timeoutSeconds });
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    return nothingWritten(e);
  }
  const sources = loadPolicySources(repoRoot);
  const catalog = checkPresetCatalog(sources);
  const presetPolicies = new Map<string, EffectivePolicy>();
  for (const [name, p] of catalog.presets) if (p.valid && p.policy !== undefined) presetPolicies.set(name, p.policy);
  const managed = managedTenants(repoRoot, sources);
  let result: ImportResult;
  try {
    result = importStack({
      stackName: values.stack,
      live,
      sources: { ...sources, presetPolicies },
      now,
      includeTenants: new Set(values["include-tenant"] ?? []),
      knownKeys: knownKeys(managed, values.stack),
    });
  } catch (e) {
    if (!(e instanceof YamlWriteError)) throw e;
    return nothingWritten(e);
  }
  for (const n of result.notes) say(`note: ${n}`);
  if (result.yaml === undefined || result.state === undefined) {
    for (const d of result.diagnostics) complain(formatDiagnostic(d));
    complain("fakit import: the live configuration cannot be expressed as a stack (above); nothing written");
    return 1;
  }
  const elsewhere = result.state.tenants.flatMap((t) =>
    managed.filter((m) => m.id === t.id && m.stack !== values.stack).map((m) => ({ t, m })),
  );
  for (const { t, m } of elsewhere) {
    const what = `tenant ${t.key} ("${t.name}", ${t.id}) is already managed by ${m.file} (as ${m.key})`;
    if (values.force === true)
      complain(`warning: ${what}; written anyway (--force): two stacks managing one tenant undo each other's changes`);
    else
      complain(
        `fakit import: ${what}: two stacks managing one tenant undo each other's changes [KIT_IMPORT_TENANT_MANAGED]`,
      );
  }
  if (elsewhere.length > 0 && values.force !== true) {
    complain(
      "fakit import: nothing written; manage each tenant from one stack (leave it out there first), or add --force",
    );
    return 1;
  }
  mkdirSync(dirname(target), { recursive: true });
  // Write beside and rename: a reader never sees half a file.
  const temporary = join(dirname(target), `.${values.stack}.import-${process.pid}.tmp`);
  writeFileSync(temporary, result.yaml);
  renameSync(temporary, target);
  report(say, shown, live.url, values.stack, result);
  return 0;
}

/** Keys by FusionAuth id from the stack files: the stack being replaced first, then the others. */
function knownKeys(managed: readonly ManagedTenant[], stack: string): Map<string, string> {
  const out = new Map<string, string>();
  const ordered = [...managed.filter((m) => m.stack === stack), ...managed.filter((m) => m.stack !== stack)];
  for (const m of ordered) {
    if (!out.has(m.id)) out.set(m.id, m.key);
    for (const a of m.applications) if (!out.has(a.id)) out.set(a.id, a.key);
  }
  return out;
}

function report(say: (line?: string) => void, shown: string, url: string, stack: string, result: ImportResult): void {
  say(`wrote ${shown}: ${result.matches.length} tenant(s) from ${url}`);
  for (const m of result.matches)
    say(`  ${m.where}: preset ${m.preset}, ${m.overrides} override(s), ${m.waivers} waiver(s)`);
  say();
  if (result.ifPresetOnly.length > 0) {
    say("If you chose the presets without these overrides, this would change:");
    for (const c of result.ifPresetOnly) say(`  ${c.where}  ${c.path}: ${c.live} -> ${c.preset}`);
  } else say("Every tenant matches its preset exactly: there is nothing to override.");
  say();
  if (result.upChanges.length > 0) {
    say("`pulumi up` of this stack writes only this to FusionAuth:");
    for (const c of result.upChanges) say(`  ${c}`);
  } else say("`pulumi up` of this stack writes nothing to FusionAuth.");
  if (result.adoptedKeys.length > 0) say();
  for (const a of result.adoptedKeys)
    say(
      `tenant ${a.tenant}: the adopted key ${a.kid ?? a.keyId} stays the signing key until at least ${formatInstant(a.signsUntil)}; the kit publishes its own keys from ${formatInstant(a.rotateFrom)} (keys.adopted)`,
    );
  say();
  say(
    `Next: pulumi config set --secret fusionauth-offline-kit:apiKey <kit key> -s ${stack}; fakit plan --stack ${stack}`,
  );
}
