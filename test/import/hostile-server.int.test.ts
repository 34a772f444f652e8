// `fakit import` against a FusionAuth that lies (testkit/import/hostile-server.ts), the CLI spawned for real: each
// finding of issue #24 as a test. Before: a silent server hung the import forever, 300 MB took 1.7 GB and a
// crash, twelve malformed shapes ended in a stack trace (exit 70), escape sequences and a forged line reached the
// terminal, a redirect to another port got the API key, and `user:pass@` in --url was written to the stack file.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createKitProject, type KitProject } from "../../testkit/helpers/kit-project";
import {
  APP_ID,
  type Endpoint,
  type HostileServer,
  type Scenario,
  startHostileServer,
  TENANT_ID,
  validBodies,
} from "../../testkit/import/hostile-server";
import { importInProcess } from "../../testkit/import/import-in-process";
import { runFakit } from "../helpers/fakit";

const API_KEY = "hostile-test-read-only-key";
const NOW = "2026-11-29T12:00:00Z";
let server: HostileServer;
let other: HostileServer;
let project: KitProject;
let n = 0;

beforeAll(async () => {
  server = await startHostileServer();
  other = await startHostileServer();
  project = createKitProject();
});

afterAll(async () => {
  await server?.close();
  await other?.close();
  project?.dispose();
});

/**
 * Runs `fakit import` of the hostile server into a fresh stack (spawned, or in-process where a test runs it many
 * times); the stack file's text when one was written. The file is removed again: the next import would find
 * the tenant managed by it.
 */
async function importFrom(scenario: Scenario, extra: string[] = [], url = server.url, spawned = true) {
  server.serve(scenario);
  const stack = `hostile-${++n}`;
  const file = path.join(project.dir, "stacks", `Pulumi.${stack}.yaml`);
  const argv = ["import", "--url", url, "--stack", stack, "--now", NOW, ...extra];
  const env = { FUSIONAUTH_API_KEY: API_KEY };
  const r = spawned ? await runFakit(argv, project.dir, env) : await importInProcess(argv, project.dir, env);
  const written = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  rmSync(file, { force: true });
  return { ...r, stack, file, written };
}

/** No JavaScript stack trace, and nothing a terminal acts on (ESC, CSI, OSC, BEL, C1) in what was printed. */
function expectCleanOutput(r: { stdout: string; stderr: string }): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
}

/** The valid bodies with one change made to a copy. */
function mutated(endpoint: Endpoint, change: (body: Record<string, unknown[]>) => void): Scenario {
  const body = validBodies()[endpoint];
  change(body);
  return { [endpoint]: { kind: "json", body } };
}
const tenantJwt = (b: Record<string, unknown[]>) =>
  ((b.tenants ?? [])[0] as { jwtConfiguration: Record<string, unknown> }).jwtConfiguration;

describe("fakit import against a hostile FusionAuth", () => {
  it("imports the well-behaved instance (the fixture's baseline)", async () => {
    const r = await importFrom({});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const tenants = parse(r.written ?? "").config["fusionauth-offline-kit:tenants"];
    expect(tenants).toMatchObject([
      { key: "mobile-crews", id: TENANT_ID, applications: [{ key: "crew-app", id: APP_ID }] },
    ]);
    expect(server.requests.every((q) => q.authorization === API_KEY)).toBe(true);
  });

  it("a server that never answers: stops at --timeout with KIT_IMPORT_TIMEOUT", async () => {
    const r = await importFrom({ "/api/tenant": { kind: "hang" } }, ["--timeout", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^fakit import: KIT_IMPORT_TIMEOUT .*did not finish within the timeout \(--timeout\); nothing written$/m,
    );
    expect(r.written).toBeUndefined();
  });

  it("a server that trickles a byte at a time: the timeout is total, not per read", async () => {
    const r = await importFrom({ "/api/key": { kind: "trickle", everyMs: 100 } }, ["--timeout", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fakit import: KIT_IMPORT_TIMEOUT ");
    expect(r.written).toBeUndefined();
  });

  it.each([
    { declareLength: false, how: "streamed without a length" },
    { declareLength: true, how: "with its Content-Length" },
  ])("a 300 MB response $how: refused past 16 MiB, the rest never read", async ({ declareLength }) => {
    const r = await importFrom({ "/api/tenant": { kind: "huge", bytes: 300 * 1024 * 1024, declareLength } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("answered more than 16 MiB, the import's limit for one response");
    expect(r.stderr).toContain("fakit import: KIT_IMPORT_TOO_LARGE ");
    expect(r.written).toBeUndefined();
    // The import hung up: far less than the 300 MB was ever sent (socket buffers hold a few MB).
    expect(server.hugeBytesSent()).toBeLessThan(64 * 1024 * 1024);
  });

  it("a redirect to another port of the same host: refused, naming both URLs, the key never sent there", async () => {
    other.serve({});
    const to = `${other.url}/api/tenant`;
    const r = await importFrom({ "/api/tenant": { kind: "redirect", status: 307, location: to } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`GET ${server.url}/api/tenant redirected to ${to}, another origin`);
    expect(r.stderr).toContain(`(http://127.0.0.1:${other.port} instead of http://127.0.0.1:${server.port})`);
    expect(r.stderr).toContain("fakit import: KIT_IMPORT_REDIRECT ");
    expect(other.requests).toEqual([]);
    expect(r.written).toBeUndefined();
  });

  it("a redirect within the same origin is followed, and the stack keeps the URL given", async () => {
    const r = await importFrom({ "/api/tenant": { kind: "redirect", status: 301, location: "/fa/api/tenant" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(parse(r.written ?? "").config["fusionauth-offline-kit:url"]).toBe(server.url);
  });

  const notAList: [string, Scenario, string][] = [
    ["tenants is an object", { "/api/tenant": { kind: "json", body: { tenants: {} } } }, "tenants is an object"],
    [
      "applications is a string",
      { "/api/application": { kind: "json", body: { applications: "x" } } },
      "applications is a string of 1 character(s), expected a list",
    ],
    ["keys is a number", { "/api/key": { kind: "json", body: { keys: 5 } } }, "keys is the number 5, expected a list"],
    [
      "the redirect list is a string",
      mutated("/api/application", (b) => {
        (b.applications?.[0] as { oauthConfiguration: object }).oauthConfiguration = { authorizedRedirectURLs: "x" };
      }),
      "applications[0].oauthConfiguration.authorizedRedirectURLs is a string of 1 character(s), expected a list",
    ],
    [
      "a tenant name is a number",
      mutated("/api/tenant", (b) => {
        (b.tenants?.[0] as { name: unknown }).name = 42;
      }),
      "tenants[0].name is the number 42, expected a string",
    ],
    [
      "a tenant name is null",
      mutated("/api/tenant", (b) => {
        (b.tenants?.[0] as { name: unknown }).name = null;
      }),
      "tenants[0].name is null, expected a string",
    ],
    [
      "an application name is a number",
      mutated("/api/application", (b) => {
        (b.applications?.[0] as { name: unknown }).name = 7;
      }),
      "applications[0].name is the number 7, expected a string",
    ],
    [
      "an application name is null",
      mutated("/api/application", (b) => {
        (b.applications?.[0] as { name: unknown }).name = null;
      }),
      "applications[0].name is null, expected a string",
    ],
    [
      "a TTL of -5",
      mutated("/api/tenant", (b) => {
        tenantJwt(b).timeToLiveInSeconds = -5;
      }),
      "tenants[0].jwtConfiguration.timeToLiveInSeconds is the number -5, expected a whole number of at least 1",
    ],
    [
      'a TTL of "900"',
      mutated("/api/tenant", (b) => {
        tenantJwt(b).timeToLiveInSeconds = "900";
      }),
      "tenants[0].jwtConfiguration.timeToLiveInSeconds is a string of 3 character(s), expected a whole number",
    ],
    [
      "a TTL that is an object",
      mutated("/api/tenant", (b) => {
        tenantJwt(b).refreshTokenTimeToLiveInMinutes = { minutes: 5 };
      }),
      "tenants[0].jwtConfiguration.refreshTokenTimeToLiveInMinutes is an object, expected a whole number",
    ],
    [
      "a tenant id that is not a UUID",
      mutated("/api/tenant", (b) => {
        (b.tenants?.[0] as { id: unknown }).id = "../../etc";
      }),
      "tenants[0].id is a string of 9 character(s), expected a UUID",
    ],
    [
      "the body is not JSON",
      { "/api/key": { kind: "raw", body: "<html>gateway</html>" } },
      "answered something that is not JSON",
    ],
    [
      "the body is not UTF-8",
      { "/api/key": { kind: "raw", body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) } },
      "answered text that is not UTF-8",
    ],
  ];
  it("a malformed response, the CLI spawned: exit 1 naming the JSON path and the kind, no stack trace", async () => {
    const r = await importFrom({ "/api/tenant": { kind: "json", body: { tenants: [{ id: TENANT_ID, name: null }] } } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `fakit import: KIT_IMPORT_RESPONSE_INVALID GET ${server.url}/api/tenant answered a response the import cannot use: tenants[0].name is null, expected a string; nothing written\n`,
    );
    expect(r.written).toBeUndefined();
  });

  // In-process (a spawn costs a second each): the command's exit status, and no exception (the CLI's exit 70).
  it.each(notAList)("%s: exit 1 naming the JSON path and the kind, no stack trace", async (_what, scenario, msg) => {
    const r = await importFrom(scenario, [], server.url, false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(msg);
    expect(r.stderr).toMatch(/^fakit import: KIT_IMPORT_RESPONSE_INVALID .*; nothing written$/m);
    expectCleanOutput(r);
    expect(r.written).toBeUndefined();
  });

  it("escape sequences in a tenant name are shown escaped, never sent to the terminal", async () => {
    const r = await importFrom(
      mutated("/api/tenant", (b) => {
        // Window title (OSC 0), clipboard write (OSC 52), clear screen (CSI 2J), 8-bit CSI.
        (b.tenants?.[0] as { name: string }).name =
          "Crews\u001b]0;owned\u0007\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u009b2J";
      }),
    );
    // A name with control characters is not one FusionAuth accepts from the kit: refused, and said so, escaped.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("\\u001b]0;owned\\u0007");
    expectCleanOutput(r);
  });

  it("a key id with a newline cannot forge an output line", async () => {
    const forged = "kid\nwrote stacks/Pulumi.prod.yaml: 0 tenant(s) from https://evil.example\u001b[8m";
    const r = await importFrom(
      mutated("/api/key", (b) => {
        (b.keys?.[0] as { kid: string }).kid = forged;
      }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the adopted key kid\\u000awrote stacks/Pulumi.prod.yaml: 0 tenant(s)");
    expect(r.stdout.split("\n").filter((l) => l.startsWith("wrote "))).toHaveLength(1);
    expectCleanOutput(r);
  });

  it("credentials in --url are refused before any request, never printed or written", async () => {
    const url = server.url.replace("http://", "http://admin:s3cret-pass@");
    const r = await importFrom({}, [], url);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--url holds credentials (user:password@); refused");
    expect(r.stdout + r.stderr).not.toContain("s3cret-pass");
    expect(server.requests).toEqual([]);
    expect(r.written).toBeUndefined();
  });

  it("a name a stack file cannot keep through Pulumi's rewrite (<<) is refused, located", async () => {
    const r = await importFrom(
      mutated("/api/application", (b) => {
        (b.applications?.[0] as { name: string }).name = "<<";
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("applications[0].name is a string of 2 character(s) that is <<");
    expect(r.written).toBeUndefined();
  });

  it("writes YAML 1.1 look-alike names quoted, so Pulumi's rewrite keeps them", async () => {
    const r = await importFrom(
      mutated("/api/tenant", (b) => {
        (b.tenants?.[0] as { name: string }).name = "2001-12-14";
      }),
    );
    expect(r.code).toBe(0);
    expect(r.written).toContain('name: "2001-12-14"');
    expect(parse(r.written ?? "", { version: "1.1" }).config["fusionauth-offline-kit:tenants"][0].name).toBe(
      "2001-12-14",
    );
  });
});
