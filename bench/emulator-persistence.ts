/**
 * The emulator under a write-heavy run: `count` applications created one after another through the HTTP API,
 * with a data file, timed per block of 1,000 and with the bytes written to the data file per request. Linear
 * persistence shows as a flat time per block and a flat number of bytes per request as the data grows.
 *
 * Run alone: `npx tsx bench/emulator-persistence.ts [count]` (default 3000); `npm run bench` runs it too.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../src/emulator";

export interface PersistenceBlock {
  /** Applications in the emulator at the end of the block. */
  upTo: number;
  /** Creates in the block (1,000 but for a last, shorter block). */
  creates: number;
  /** Wall time of the block's creates. */
  ms: number;
  /** Bytes written to the data file (journal and snapshots) per create in this block. */
  bytesPerRequest: number;
  /** Data file writes (journal appends and snapshots) per create in this block. */
  writesPerRequest: number;
}

export interface PersistenceRun {
  count: number;
  blocks: PersistenceBlock[];
  /** Rejected (400) creates sent after the run, and the bytes they wrote (should be 0). */
  rejected: { requests: number; bytes: number };
}

const BLOCK = 1000;

/** An application like the kit's: OAuth settings, roles and a JWT block. */
function applicationBody(i: number) {
  return {
    application: {
      name: `bench-app-${i}`,
      roles: [{ name: "admin" }, { name: "user", isDefault: true }],
      loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true },
      oauthConfiguration: {
        authorizedRedirectURLs: [`com.example.app${i}://callback`],
        enabledGrants: ["authorization_code", "refresh_token"],
        proofKeyForCodeExchangePolicy: "Required",
        clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE",
      },
      jwtConfiguration: { enabled: true, timeToLiveInSeconds: 900, refreshTokenTimeToLiveInMinutes: 43200 },
      data: { managedBy: "fusionauth-offline-kit", stack: "bench" },
    },
  };
}

export async function benchEmulatorPersistence(count = 3000): Promise<PersistenceRun> {
  const dir = mkdtempSync(join(tmpdir(), "fakit-bench-emu-"));
  const emu = await startEmulator({ dataFile: join(dir, "emulator.json") });
  const headers = { Authorization: emu.apiKeys[0] as string, "Content-Type": "application/json" };
  const post = (body: unknown) =>
    fetch(`${emu.url}/api/application/${randomUUID()}`, { method: "POST", headers, body: JSON.stringify(body) });
  try {
    const blocks: PersistenceBlock[] = [];
    for (let done = 0; done < count; ) {
      const n = Math.min(BLOCK, count - done);
      const before = emu.storage.stats();
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const res = await post(applicationBody(done + i));
        if (res.status !== 200) throw new Error(`create ${done + i} answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const after = emu.storage.stats();
      done += n;
      blocks.push({
        upTo: done,
        creates: n,
        ms,
        bytesPerRequest: (after.bytesWritten - before.bytesWritten) / n,
        writesPerRequest: (after.writes - before.writes) / n,
      });
    }
    const before = emu.storage.stats();
    const requests = 100;
    for (let i = 0; i < requests; i++) {
      const res = await post({ application: { name: "" } });
      if (res.status !== 400) throw new Error(`a blank name answered ${res.status}`);
      await res.arrayBuffer();
    }
    return { count, blocks, rejected: { requests, bytes: emu.storage.stats().bytesWritten - before.bytesWritten } };
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run as printable lines (a markdown table). */
export function formatPersistence(run: PersistenceRun): string[] {
  const rows = run.blocks.map((b) => [
    String(b.upTo),
    `${(b.ms / b.creates).toFixed(2)} s`,
    `${(b.ms / b.creates).toFixed(2)} ms`,
    `${Math.round(b.bytesPerRequest)} B`,
    b.writesPerRequest.toFixed(2),
  ]);
  const head = [
    "applications",
    "time per 1,000 creates",
    "per create",
    "bytes written per create",
    "file writes per create",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [
    line(head),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map(line),
    "",
    `${run.rejected.requests} rejected creates (400) wrote ${run.rejected.bytes} bytes.`,
  ];
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 3000);
  benchEmulatorPersistence(count).then(
    (run) => console.log(formatPersistence(run).join("\n")),
    (e: Error) => {
      console.error(`bench: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
