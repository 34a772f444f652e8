/**
 * The data file: a snapshot of the whole state (`emulator.json`) plus an append-only journal of the records
 * each request changed (`emulator.json.journal`, one JSON line per request).
 *
 * Why: rewriting the whole state after every request made a run of N creates cost O(N²) bytes (issue #11).
 * Now a request writes one line holding only the records it changed, before it is answered, and nothing at
 * all when it changed nothing (rejected requests included). When the journal outgrows the snapshot (and 1 MiB)
 * the snapshot is rewritten and the journal emptied, so the bytes written stay linear in the number of changes.
 *
 * Crash safety (`kill -9` at any moment): the snapshot is only ever replaced by rename of a complete, fsynced
 * temporary file; a journal line is appended with one write, so only the last line can be torn, and a torn last
 * line is ignored on load (its request was never answered). Journal entries are whole records (set or
 * delete), so replaying a journal onto a snapshot that already holds some of its changes (a crash between
 * the snapshot rename and the journal truncation) gives the same state. Temporary files left by a crash are
 * removed at start-up. Journal appends are not fsynced: the data survives a killed process, not a power cut.
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Touched } from "./change-tracker";
import { EmulatorError } from "./errors";
import { COLLECTIONS, type Collection, type EmulatorState, STATE_VERSION, withoutPrototypes } from "./state";

/** Bytes and writes that went to the data file and its journal since start. */
export interface StorageStats {
  /** Journal appends plus snapshot writes. */
  writes: number;
  bytesWritten: number;
  journalAppends: number;
  snapshots: number;
}

/** The journal grows to at least this before a compaction, so small states are not rewritten often. */
const MIN_COMPACT_BYTES = 1024 * 1024;

const journalOf = (file: string) => `${file}.journal`;

function fail(code: "KIT_EMULATOR_DATA_UNWRITABLE" | "KIT_EMULATOR_DATA_UNREADABLE", file: string, e: unknown): never {
  const verb = code === "KIT_EMULATOR_DATA_UNWRITABLE" ? "write" : "read";
  throw new EmulatorError(code, `cannot ${verb} emulator data file ${file}: ${(e as Error).message}`, { cause: e });
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return fail("KIT_EMULATOR_DATA_UNREADABLE", file, e);
  }
}

function corrupt(file: string, what: string, cause?: unknown): never {
  throw new EmulatorError(
    "KIT_EMULATOR_DATA_CORRUPT",
    `emulator data file ${file} ${what}; fix it or delete it to start fresh`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Reads the snapshot and replays its journal; undefined when there is no snapshot (a journal without its
 * snapshot belongs to a deleted data file and is ignored).
 */
export function loadState(file: string): EmulatorState | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    corrupt(file, `is not valid JSON (${(e as Error).message})`, e);
  }
  const problem = checkShape(data);
  if (problem !== undefined) corrupt(file, `is not emulator data: ${problem}`);
  const state = withoutPrototypes(data as EmulatorState);
  const journal = readText(journalOf(file));
  if (journal !== undefined) replay(journalOf(file), journal, state);
  return state;
}

function replay(file: string, text: string, state: EmulatorState): void {
  const lines = text.split("\n");
  // Everything after the last newline is a line whose append was cut short by a crash: never answered, dropped.
  lines.pop();
  for (const [i, line] of lines.entries()) {
    let entry: { changes?: unknown };
    try {
      entry = JSON.parse(line);
    } catch (e) {
      corrupt(file, `has an unreadable line ${i + 1} (${(e as Error).message})`, e);
    }
    if (!Array.isArray(entry.changes)) corrupt(file, `line ${i + 1} has no "changes" list`);
    for (const change of entry.changes) {
      const [c, id, value] = change as [Collection, string, unknown];
      if (!COLLECTIONS.includes(c) || typeof id !== "string") corrupt(file, `line ${i + 1} is not a change`);
      const records = state[c] as Record<string, unknown>;
      if (value === null) delete records[id];
      else records[id] = value;
    }
  }
}

function checkShape(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "expected a JSON object";
  const d = data as Record<string, unknown>;
  if (d.version !== STATE_VERSION)
    return `unsupported version ${JSON.stringify(d.version)} (expected ${STATE_VERSION})`;
  for (const c of COLLECTIONS) {
    const v = d[c];
    // A data file written before the API Key API has no `apiKeys`: read as none.
    if (v === undefined && c === "apiKeys") continue;
    if (typeof v !== "object" || v === null || Array.isArray(v)) return `"${c}" must be an object`;
  }
  return undefined;
}

/** Removes `<data file>.<anything>.tmp` files a killed emulator left beside the data file. */
export function removeTempFiles(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith(prefix) && name.endsWith(".tmp")) rmSync(join(dir, name), { force: true });
}

/**
 * The open data file of a running emulator. Keeps the JSON text of every record as last written, so a flush
 * can tell a changed record from one that was only read, and a compaction can assemble the snapshot without
 * serializing unchanged records again.
 */
export class DataStore {
  private readonly written = new Map<Collection, Map<string, string>>();
  private journalFd: number | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private readonly counts: StorageStats = { writes: 0, bytesWritten: 0, journalAppends: 0, snapshots: 0 };

  private constructor(
    readonly file: string,
    private readonly state: EmulatorState,
  ) {}

  /** Opens `file` for `state` (already loaded from it, or fresh): cleans up after a crash and compacts. */
  static open(file: string, state: EmulatorState): DataStore {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      fail("KIT_EMULATOR_DATA_UNWRITABLE", file, e);
    }
    removeTempFiles(file);
    const store = new DataStore(file, state);
    store.compact(true);
    return store;
  }

  stats(): StorageStats {
    return { ...this.counts };
  }

  /**
   * Journals the touched records that differ from what was last written, in one append; nothing when none
   * does. Called before a request is answered.
   */
  flush(touched: Touched): void {
    const parts: string[] = [];
    for (const [c, ids] of touched) {
      const records = this.state[c] as Record<string, unknown>;
      const written = this.collection(c);
      for (const id of ids) {
        const value = Object.hasOwn(records, id) ? records[id] : undefined;
        const json = value === undefined ? undefined : JSON.stringify(value);
        if (json === written.get(id)) continue;
        if (json === undefined) written.delete(id);
        else written.set(id, json);
        parts.push(`[${JSON.stringify(c)},${JSON.stringify(id)},${json ?? "null"}]`);
      }
    }
    if (parts.length === 0) return;
    const line = `{"changes":[${parts.join(",")}]}\n`;
    try {
      this.journalFd ??= openSync(journalOf(this.file), "a", 0o600);
      // One write of one whole line: a crash can tear only the last line, which loading drops.
      writeFileSync(this.journalFd, line);
      const bytes = Buffer.byteLength(line);
      this.count(bytes);
      this.counts.journalAppends++;
      this.journalBytes += bytes;
    } catch (e) {
      fail("KIT_EMULATOR_DATA_UNWRITABLE", journalOf(this.file), e);
    }
    if (this.journalBytes > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) this.compact(false);
  }

  /**
   * Writes the snapshot (temporary file, fsync, rename) and empties the journal. `full` serializes every
   * record from the live state (start-up and close); otherwise the snapshot is assembled from the journaled
   * record texts, which is exactly what snapshot plus journal hold.
   */
  compact(full: boolean): void {
    if (full) {
      for (const c of COLLECTIONS) {
        const written = new Map<string, string>();
        for (const [id, value] of Object.entries(this.state[c] as Record<string, unknown>))
          written.set(id, JSON.stringify(value));
        this.written.set(c, written);
      }
    }
    const sections = COLLECTIONS.map((c) => {
      const entries: string[] = [];
      for (const [id, json] of this.collection(c)) entries.push(`${JSON.stringify(id)}:${json}`);
      return `${JSON.stringify(c)}:{${entries.join(",")}}`;
    });
    const text = `{"version":${STATE_VERSION},${sections.join(",")}}`;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, "w", 0o600);
      try {
        writeFileSync(fd, text);
        fsyncSync(fd);
        const bytes = Buffer.byteLength(text);
        this.count(bytes);
        this.snapshotBytes = bytes;
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      // A crash right here replays the old journal onto the new snapshot: harmless (see the module comment).
      this.journalFd ??= openSync(journalOf(this.file), "a", 0o600);
      ftruncateSync(this.journalFd, 0);
      this.journalBytes = 0;
      this.counts.snapshots++;
    } catch (e) {
      rmSync(tmp, { force: true });
      fail("KIT_EMULATOR_DATA_UNWRITABLE", this.file, e);
    }
  }

  /** Final snapshot of the live state; the store is unusable afterwards. */
  close(): void {
    this.compact(true);
    if (this.journalFd !== undefined) closeSync(this.journalFd);
    this.journalFd = undefined;
  }

  private collection(c: Collection): Map<string, string> {
    const m = this.written.get(c) ?? new Map<string, string>();
    this.written.set(c, m);
    return m;
  }

  private count(bytes: number): void {
    this.counts.writes++;
    this.counts.bytesWritten += bytes;
  }
}
