/**
 * One way to read a command line, for every `fakit` command. To adopt it in a new command:
 *
 * ```ts
 * const USAGE = `usage: fakit revoke --stack NAME [--now ISO]\n\n  --stack NAME  ...`;
 * const SPEC = { command: "revoke", usage: USAGE, options: { stack: { type: "string" }, now: { type: "string" } } } as const;
 *
 * export async function run(argv: string[]): Promise<number> {
 *   const args = parseCommandLine(argv, SPEC);
 *   if (args === undefined) return 0; // --help was printed
 *   const stack = requireStackName(args.values.stack, SPEC);
 *   const now = parseInstant("--now", args.values.now, SPEC) ?? new Date();
 *   if (somethingElseWrong) throw new UsageError(SPEC, "what is wrong and how to fix it");
 *   ...
 * }
 * ```
 *
 * Every usage mistake is thrown as a {@link UsageError}; `main` prints it as `fakit <command>: <message>` followed
 * by the command's usage and exits 2 (./exit-status.ts). `--help`/`-h` is added to every command and prints the usage to stdout.
 * Options follow node's `util.parseArgs` (strict: unknown options, missing values and stray positionals are
 * usage errors; `--flag=value` and `--flag value` both work).
 *
 * @see https://nodejs.org/api/util.html#utilparseargsconfig
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { KitError } from "../lib/errors";
import { isStackName, stackNameProblem } from "../stack/stack-name";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What a command tells the parser: its name (for messages), its usage text and its options. */
export interface CommandSpec<O extends Options = Options> {
  command: string;
  usage: string;
  options: O;
  /** Whether bare arguments (e.g. file names) are allowed; default false. */
  positionals?: boolean;
}

/** A command-line mistake: printed with the command's usage, exit status 2. */
export class UsageError extends KitError {
  override readonly name = "UsageError";
  constructor(
    readonly spec: Pick<CommandSpec, "command" | "usage">,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("KIT_USAGE", message, options);
  }
}

type Values<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: "boolean" }
    ? O[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
};

/**
 * Parses `argv` for a command. Returns `undefined` after printing the usage for `--help`/`-h`.
 *
 * @throws {UsageError} for an unknown option, a missing value or a positional the command does not take.
 */
export function parseCommandLine<O extends Options>(
  argv: string[],
  spec: CommandSpec<O>,
): { values: Values<O>; positionals: string[] } | undefined {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: spec.positionals === true,
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
    }) as typeof parsed;
  } catch (err) {
    throw new UsageError(spec, (err as Error).message, { cause: err });
  }
  if (parsed.values.help === true) {
    console.log(spec.usage);
    return undefined;
  }
  const { help: _help, ...values } = parsed.values;
  return { values: values as Values<O>, positionals: parsed.positionals };
}

/**
 * An instant given on the command line (`--now`, `--last-check-in`, ...): an ISO 8601 date and time with a zone
 * (`Z` or `+hh:mm`), so that the same command means the same instant on every machine. `undefined` stays undefined.
 *
 * @throws {UsageError} for anything else.
 */
export function parseInstant(flag: string, text: string | undefined, spec: CommandSpec): Date | undefined {
  if (text === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(text);
  const ms = ok ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      spec,
      `${flag} needs an ISO 8601 time with a zone such as 2026-01-31T12:00:00Z, got ${JSON.stringify(text)}`,
    );
  return new Date(ms);
}

/**
 * The `--stack` value: required, and a safe stack name before any path is built from it.
 *
 * @throws {UsageError} when missing or not a stack name.
 */
export function requireStackName(stack: string | undefined, spec: CommandSpec, flag = "--stack"): string {
  if (stack === undefined || stack === "") throw new UsageError(spec, `${flag} is required`);
  if (!isStackName(stack)) throw new UsageError(spec, stackNameProblem(stack));
  return stack;
}

/**
 * A whole number given on the command line (`--devices 1000`), within `[min, max]`. `undefined` stays undefined.
 *
 * @throws {UsageError} for anything else (signs, decimals, exponents, out of range).
 */
export function parseWholeNumber(
  flag: string,
  text: string | undefined,
  range: { min: number; max: number },
  spec: CommandSpec,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < range.min || n > range.max)
    throw new UsageError(spec, `${flag} needs a whole number from ${range.min} to ${range.max}, got ${text}`);
  return n;
}
