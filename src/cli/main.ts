/**
 * `fakit`: the kit's command line. Each command lives in its own module under `commands/` and is loaded only
 * when named, so `fakit verify` does not pay for the emulator's dependencies.
 */

import { useValidatorStore } from "../diagnostics/schema-check";
import { isKitError } from "../lib/errors";
import { fileValidatorStore } from "../toolchain/validator-store";
import { EXIT, reportKitError } from "./exit-status";

type CommandModule = { run(argv: string[]): Promise<number> };

// Each command is a `require` of a literal path inside a function: esbuild, which compiles this file for
// bin/fakit.js (src/toolchain/precompiled.js), bundles every command but runs a command's modules only when that
// function is called, so `fakit --help` loads none of them. A computed path would not be bundled at all.
const load = (get: () => unknown) => async (): Promise<CommandModule> => get() as CommandModule;

// A new command: a module under commands/ whose `run` reads its argv with `parseCommandLine` from ./args (see the
// example at the top of args.ts) and throws `UsageError` for usage mistakes and a `KitError` for any other
// failure the user can act on; `main` reports those (./exit-status.ts: the code, the message, the exit status).
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  validate: { summary: "validate presets and stacks", load: load(() => require("./commands/validate")) },
  plan: {
    summary: "show the effective policy, derived figures and rotation timeline of a stack",
    load: load(() => require("./commands/plan")),
  },
  bundle: {
    summary: "emit or check the signed JWKS bundles of a stack",
    load: load(() => require("./commands/bundle")),
  },
  "bundle-key": {
    summary: "generate the pipeline's bundle signing key pair",
    load: load(() => require("./commands/bundle-key")),
  },
  revoke: {
    summary: "revoke a user's, an application's or a tenant's sessions (stolen device, bad release)",
    load: load(() => require("./commands/revoke")),
  },
  verify: {
    summary: "decide offline what a token allows, as an app would",
    load: load(() => require("./commands/verify")),
  },
  simulate: {
    summary: "simulate a fleet of devices under a stack's policies",
    load: load(() => require("./commands/simulate")),
  },
  emulator: { summary: "run the local FusionAuth API emulator", load: load(() => require("./commands/emulator")) },
  import: { summary: "write a stack file from a live FusionAuth", load: load(() => require("./commands/import")) },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`);
  return [
    "usage: fakit <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "Run `fakit <command> --help` for its options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? console.error : console.log)(usage());
    return name === undefined ? EXIT.usage : 0;
  }
  // An own-property lookup: `constructor`, `__proto__` and `toString` are inherited by every object, not commands.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`fakit: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return EXIT.usage;
  }
  // The policy schemas' validators compiled at an earlier run, instead of ajv compiling them at each (0.15 s of CPU).
  useValidatorStore(fileValidatorStore());
  const mod = await command.load();
  try {
    return await mod.run(rest);
  } catch (err) {
    // A kit error is the user's to act on: its code and message, never a stack. Anything else is a kit bug.
    if (!isKitError(err)) throw err;
    return reportKitError(name, err);
  }
}
