/**
 * The data file: the whole state as JSON, written atomically (temporary file, then rename) after each
 * request that may change it. A missing file means a fresh start; an unreadable or corrupt one is an error
 * naming the file, never a silent reset.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { EmulatorError } from "./errors";
import { type EmulatorState, STATE_VERSION } from "./state";

const COLLECTIONS = ["keys", "tenants", "applications", "users", "refreshTokens"] as const;

/** Reads the data file; undefined when it does not exist. */
export function loadState(file: string): EmulatorState | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EmulatorError(
      "KIT_EMULATOR_DATA_UNREADABLE",
      `cannot read emulator data file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new EmulatorError(
      "KIT_EMULATOR_DATA_CORRUPT",
      `emulator data file ${file} is not valid JSON (${(e as Error).message}); fix it or delete it to start fresh`,
      { cause: e },
    );
  }
  const problem = checkShape(data);
  if (problem !== undefined) {
    throw new EmulatorError(
      "KIT_EMULATOR_DATA_CORRUPT",
      `emulator data file ${file} is not emulator data: ${problem}; fix it or delete it to start fresh`,
    );
  }
  return data as EmulatorState;
}

function checkShape(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "expected a JSON object";
  const d = data as Record<string, unknown>;
  if (d.version !== STATE_VERSION)
    return `unsupported version ${JSON.stringify(d.version)} (expected ${STATE_VERSION})`;
  for (const c of COLLECTIONS) {
    const v = d[c];
    if (typeof v !== "object" || v === null || Array.isArray(v)) return `"${c}" must be an object`;
  }
  return undefined;
}

/** Writes the state atomically: a reader never sees a half-written file. */
export function saveState(file: string, state: EmulatorState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    throw new EmulatorError(
      "KIT_EMULATOR_DATA_UNWRITABLE",
      `cannot write emulator data file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
