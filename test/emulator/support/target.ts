/**
 * Where the contract suite runs: an in-process emulator, or a real FusionAuth when FUSIONAUTH_URL and
 * FUSIONAUTH_API_KEY are set (emulator-only parts then skip).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import type ClientResponse from "@fusionauth/typescript-client/build/src/ClientResponse";
import { expect } from "vitest";
import { type EmulatorOptions, startEmulator } from "../../../src/emulator";
import { EmulatorAdminClient } from "../../../src/emulator/admin-client";

export const REAL = Boolean(process.env.FUSIONAUTH_URL && process.env.FUSIONAUTH_API_KEY);

export interface Target {
  url: string;
  apiKey: string;
  client: FusionAuthClient;
  /** Present only against the emulator. */
  admin?: EmulatorAdminClient;
  close(): Promise<void>;
}

export async function startTarget(options: EmulatorOptions = {}): Promise<Target> {
  if (REAL) {
    const url = process.env.FUSIONAUTH_URL as string;
    const apiKey = process.env.FUSIONAUTH_API_KEY as string;
    return { url, apiKey, client: new FusionAuthClient(apiKey, url), close: async () => {} };
  }
  const emu = await startEmulator({ admin: true, ...options });
  const apiKey = emu.apiKeys[0] as string;
  return {
    url: emu.url,
    apiKey,
    client: new FusionAuthClient(apiKey, emu.url),
    admin: new EmulatorAdminClient(emu.url),
    close: emu.close,
  };
}

/** FusionAuth's documented example payloads, kept with the tests (from the team's shared API reference). */
const EXAMPLES = join(__dirname, "..", "..", "fixtures", "fusionauth-examples");
// biome-ignore lint/suspicious/noExplicitAny: documented example payloads are arbitrary JSON.
export function example(name: string): any {
  const dir = process.env.FUSIONAUTH_EXAMPLES_DIR ?? EXAMPLES;
  return JSON.parse(readFileSync(join(dir, name), "utf8"));
}

/** Awaits a client call that must fail, checks its status and returns the parsed error body (if any). */
// biome-ignore lint/suspicious/noExplicitAny: error bodies differ per endpoint.
export async function rejected(call: Promise<unknown>, status: number): Promise<any> {
  try {
    await call;
  } catch (e) {
    const r = e as ClientResponse<unknown>;
    expect(r.statusCode).toBe(status);
    return r.exception;
  }
  throw new Error(`expected HTTP ${status}, but the call succeeded`);
}

/** A client for another tenant scope / key on the same target. */
export function clientFor(t: Target, options: { apiKey?: string; tenantId?: string } = {}): FusionAuthClient {
  return new FusionAuthClient(options.apiKey ?? t.apiKey, t.url, options.tenantId);
}

let counter = 0;
/** A name unique within this run (real servers keep objects between runs). */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
