/**
 * This checkout's passphrase salts, kept out of the committed stack files. Pulumi's passphrase secrets provider
 * writes `encryptionsalt` into `stacks/Pulumi.<stack>.yaml` when it creates a stack, and writes a new one on any
 * later command that finds none. The committed files carry none on purpose (a salt is made for one passphrase, and
 * a pipeline with its own fails on a committed one: test/stack/committed-secrets.test.ts), so `npm start` and
 * `npm run pulumi` lend each such file this checkout's salt for the length of the Pulumi commands and take it back
 * to `.fakit/pulumi-salts/` afterwards: the checkout stays as committed, and the salt is the same on every run.
 * A file that commits its own salt is left alone, and so is a salt Pulumi needs for secure values a user set in
 * the file (`pulumi config set --secret`), as Pulumi keeps it there.
 *
 * @see https://www.pulumi.com/docs/iac/concepts/secrets/
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The line Pulumi appends (without a final newline when the file ended in one). */
const SALT_LINE = /^encryptionsalt:[ \t]*(\S+)[ \t]*(?:\r?\n|$)/m;
const SECURE_VALUE = /^\s*secure:/m;

/** The salt a stack file's text holds, and the text without that line. */
export function splitSalt(text: string): { salt: string | undefined; rest: string } {
  const m = SALT_LINE.exec(text);
  if (m === null) return { salt: undefined, rest: text };
  return { salt: m[1], rest: text.slice(0, m.index) + text.slice(m.index + m[0].length) };
}

/** `text` with the salt line appended, as Pulumi would read it. */
export function withSalt(text: string, salt: string): string {
  return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}encryptionsalt: ${salt}\n`;
}

/** Where a checkout whose local state is in `stateDir` (`.fakit/`) keeps its salts. */
export function checkoutSaltDir(stateDir: string): string {
  return path.join(stateDir, "pulumi-salts");
}

/** Where this checkout keeps the salt of one stack file. */
function saltFileOf(saltDir: string, stackFile: string): string {
  return path.join(saltDir, `${path.basename(stackFile)}.salt`);
}

/**
 * Gives each stack file of `stacksDir` that commits no salt the salt kept for it in `saltDir`, if any. Returns
 * the files that commit no salt, for {@link reclaimSalts}.
 */
export function lendSalts(stacksDir: string, saltDir: string): Set<string> {
  const lent = new Set<string>();
  if (!existsSync(stacksDir)) return lent;
  for (const name of readdirSync(stacksDir).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))) {
    const file = path.join(stacksDir, name);
    const before = readFileSync(file, "utf8");
    if (splitSalt(before).salt !== undefined) continue;
    lent.add(file);
    const kept = saltFileOf(saltDir, file);
    if (existsSync(kept)) writeFileSync(file, withSalt(before, readFileSync(kept, "utf8").trim()));
  }
  return lent;
}

/**
 * Takes back the salt of every file {@link lendSalts} lent to (or that Pulumi gave one since) into `saltDir`,
 * leaving the file as it was, apart from changes made meanwhile. A file that now holds secure values keeps it.
 */
export function reclaimSalts(saltDir: string, lent: ReadonlySet<string>): void {
  for (const file of lent) {
    if (!existsSync(file)) continue;
    const now = readFileSync(file, "utf8");
    const { salt, rest } = splitSalt(now);
    if (salt === undefined || SECURE_VALUE.test(rest)) continue;
    mkdirSync(saltDir, { recursive: true });
    writeFileSync(saltFileOf(saltDir, file), `${salt}\n`);
    writeFileSync(file, rest);
  }
}

/** Runs `fn` (Pulumi commands) with this checkout's salts lent to the stack files, taking them back after. */
export async function withCheckoutSalts<T>(stacksDir: string, saltDir: string, fn: () => T | Promise<T>): Promise<T> {
  const lent = lendSalts(stacksDir, saltDir);
  try {
    return await fn();
  } finally {
    reclaimSalts(saltDir, lent);
  }
}
