/**
 * `fakit import` run inside the test process (the command's own function, real HTTP to the hostile server),
 * for tests that run it many times: a spawned CLI costs a second each. A kit error comes back with its exit
 * status and line, as `fakit`'s main reports it; any other exception is what the CLI would have shown as a crash
 * (exit 70).
 */
import { importCommand } from "../../src/cli/commands/import";
import { reportKitError } from "../../src/cli/exit-status";
import { isKitError } from "../../src/lib/errors";

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The exception a crash threw (the CLI's exit 70). */
  crash?: unknown;
}

export async function importInProcess(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<InProcessResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { cwd, env, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");
  try {
    const code = await importCommand(argv[0] === "import" ? argv.slice(1) : argv, io);
    return { code, stdout: text(out), stderr: text(err) };
  } catch (e) {
    if (isKitError(e)) {
      const code = reportKitError("import", e, { print: io.err });
      return { code, stdout: text(out), stderr: text(err) };
    }
    return { code: 70, stdout: text(out), stderr: text(err), crash: e };
  }
}
