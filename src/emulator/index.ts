/**
 * FusionAuth API emulator: an in-process HTTP server of the FusionAuth API subset the kit uses, for local
 * stacks and tests. See docs/emulator.md for routes, defaults and the behaviours FusionAuth leaves undocumented.
 * @see https://fusionauth.io/docs/apis/
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type ApiKeySpec, toApiKeySpecs } from "./api-keys";
import { ChangeTracker } from "./change-tracker";
import { EmulatorClock } from "./clock";
import type { EmulatorContext, PatchArrayPolicy } from "./context";
import { RequestCounters } from "./counters";
import { EmulatorError } from "./errors";
import { FaultInjector } from "./faults";
import { type Kickstart, parseKickstart, runKickstart } from "./kickstart";
import { DataStore, loadState, type StorageStats } from "./persistence";
import { freshState } from "./seed";
import { createEmulatorServer, type ServerDeps } from "./server";
import { withoutPrototypes } from "./state";

export { type ApiKeySpec, DEFAULT_API_KEY } from "./api-keys";
export { FUSIONAUTH_APP_ID } from "./application-model";
export type { CountersSnapshot, RequestKind } from "./counters";
export { EmulatorError } from "./errors";
export type { FaultRule, FaultRuleSpec } from "./faults";
export { SHADOW_KEY_IDS } from "./jwt-configuration";
export { type Kickstart, parseKickstart, runKickstart } from "./kickstart";
export type { StorageStats } from "./persistence";
export { ADMIN_PREFIX } from "./routes/admin";
export { MAX_BODY_BYTES } from "./server";
export { DEFAULT_ISSUER, DEFAULT_RSA_KEY_ID, DEFAULT_SIGNING_KEY_ID, DEFAULT_TENANT_ID } from "./tenant-model";

export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Host to bind (default 127.0.0.1). */
  host?: string;
  /** JSON data file; state survives restarts. Without one, state lives in memory only. */
  dataFile?: string;
  /** Accepted API keys; default `[DEFAULT_API_KEY]`. A key without endpoint permissions is a super key. */
  apiKeys?: (string | ApiKeySpec)[];
  /** Serve the admin routes under `/_emulator/` (clock, counters, faults). Default false. */
  admin?: boolean;
  /** Start with the clock frozen at this instant (default: follow the wall clock). */
  now?: Date;
  /** Array handling of `PATCH` with `application/json` (default `append`, like FusionAuth). */
  patchArrays?: PatchArrayPolicy;
  /**
   * Base URL of the endpoints in the OpenID discovery document (default `http://localhost:<port>`). Never
   * taken from the request's Host header, which any client can set.
   */
  publicUrl?: string;
  /**
   * A FusionAuth Kickstart file (`kickstart.json`): its API keys are accepted, and its requests are applied on
   * the first start (a fresh state: no data file yet, or memory only), as FusionAuth does.
   */
  kickstart?: string;
  /** Called with unexpected handler errors (answered as 500). */
  onInternalError?: (e: unknown) => void;
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:9011`. */
  url: string;
  port: number;
  /** The API keys it accepts (values; the first is a super key unless configured otherwise). */
  apiKeys: string[];
  clock: EmulatorClock;
  counters: RequestCounters;
  faults: FaultInjector;
  /** Writes to the data file so far (all zero without one): for tests and the bench. */
  storage: { stats(): StorageStats };
  /** Stops the server and writes a final snapshot of the data file. */
  close(): Promise<void>;
}

function readKickstart(file: string): Kickstart {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new EmulatorError("KIT_EMULATOR_KICKSTART_INVALID", `${file}: cannot read: ${(e as Error).message}`);
  }
  return parseKickstart(text, file, process.env);
}

/**
 * Starts an emulator. Throws {@link EmulatorError} when the data file is corrupt or the port is taken.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = new EmulatorClock(options.now);
  const kickstart = options.kickstart === undefined ? undefined : readKickstart(options.kickstart);
  const loaded = options.dataFile === undefined ? undefined : loadState(options.dataFile);
  const state = loaded ?? withoutPrototypes(freshState(clock.now()));
  const emu: EmulatorContext = { state, clock, patchArrays: options.patchArrays ?? "append" };
  let persistence: { store: DataStore; tracker: ChangeTracker } | undefined;
  if (options.dataFile !== undefined) {
    const tracker = new ChangeTracker();
    persistence = { store: DataStore.open(options.dataFile, state), tracker };
    tracker.wrap(state);
  }
  const apiKeys = [...toApiKeySpecs(options.apiKeys), ...(kickstart?.apiKeys ?? [])];
  const counters = new RequestCounters();
  const faults = new FaultInjector();
  const deps: ServerDeps = {
    emu,
    apiKeys,
    admin: options.admin === true,
    clock,
    counters,
    faults,
    publicUrl: options.publicUrl ?? "",
    persistence,
    onInternalError: options.onInternalError,
  };
  const server = createEmulatorServer(deps);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) =>
      reject(
        new EmulatorError("KIT_EMULATOR_LISTEN_FAILED", `cannot listen on ${host}:${options.port ?? 0}: ${e.message}`, {
          cause: e,
        }),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  }).catch((e: unknown) => {
    persistence?.store.close(); // releases the journal; the data file stays as loaded
    throw e;
  });
  const port = (server.address() as AddressInfo).port;
  deps.publicUrl = (options.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, "");
  const close = async () => {
    await new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((e) => (e ? reject(e) : resolve()));
    });
    persistence?.store.close();
  };
  if (kickstart !== undefined && loaded === undefined) {
    // First start: applied through the HTTP API itself, so every request is checked as any client's would be.
    await runKickstart(`http://${host.includes(":") ? `[${host}]` : host}:${port}`, kickstart).catch(async (e) => {
      await close();
      throw e;
    });
  }
  return {
    url: `http://${host}:${port}`,
    port,
    apiKeys: apiKeys.map((k) => k.key),
    clock,
    counters,
    faults,
    storage: {
      stats: () => persistence?.store.stats() ?? { writes: 0, bytesWritten: 0, journalAppends: 0, snapshots: 0 },
    },
    close,
  };
}
