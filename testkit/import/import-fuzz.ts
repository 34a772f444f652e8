/**
 * A seeded fuzz of `fakit import` against the hostile server: each case is a FusionAuth instance (hostile names,
 * random settings, applications and keys), often mutated (a value of the wrong kind at a random JSON path, a
 * member removed) or answered badly (silence, trickle, huge, redirects, not JSON, not UTF-8, odd statuses). The
 * oracle: no crash (an exception, the CLI's exit 70), no hang past the timeout, nothing printed that a terminal
 * acts on, nothing written on exit 1, and on exit 0 a stack file that holds exactly what the server held, but for
 * the documented mappings (left-out tenants and applications, redirect URLs that are not absolute URIs dropped,
 * settings as presets and overrides). Run by test/import/import-fuzz.int.test.ts (bounded) and
 * scripts/fuzz-import.ts (for minutes).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { seededRandom } from "../../src/lib/seeded-random";
import { hostileStrings } from "../helpers/hostile-strings";
import { type Answer, type Endpoint, type HostileServer, type Scenario, validBodies } from "./hostile-server";
import { importInProcess } from "./import-in-process";

const POOL = hostileStrings(400, 20261207);
const ENDPOINTS: Endpoint[] = ["/api/tenant", "/api/application", "/api/key"];
const ALGORITHMS = ["ES256", "ES256", "ES384", "ES512", "RS256", "HS256", "Ed25519", "none", "\u001b[31mES256"];
const REDIRECTS = ["com.example.crew:/oauth2/callback", "https://app.example.com/cb", "not a uri", "", "x:y z", "a:b"];
const POLICIES = ["Fixed", "SlidingWindow", "SlidingWindowWithMaximumLifetime", "SlidingWindowWithMaximumLifetime"];

interface Gen {
  r: () => number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

function gen(seed: number): Gen {
  const r = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  return { r, int, pick: (xs) => xs[int(0, xs.length - 1)] as never, chance: (p) => r() < p };
}

function uuid(g: Gen): string {
  const hex = () => g.int(0, 15).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join("");
  return `${part(8)}-${part(4)}-4${part(3)}-8${part(3)}-${part(12)}`;
}

function name(g: Gen): string {
  return g.chance(0.35) ? g.pick(POOL) : g.pick(["Crews", "Field Ops", "field-ops", "Clinic", "App", "yes", "0b101"]);
}

/** A hostile JSON value for a mutation. */
function hostileValue(g: Gen): unknown {
  switch (g.int(0, 11)) {
    case 0:
      return null;
    case 1:
      return -5;
    case 2:
      return "900";
    case 3:
      return {};
    case 4:
      return [];
    case 5:
      return 1e308;
    case 6:
      return true;
    case 7:
      return g.pick(POOL);
    case 8:
      return 0.5;
    case 9:
      return "x".repeat(g.int(2000, 100_000));
    case 10: {
      let deep: unknown = [];
      for (let i = 0; i < 2000; i++) deep = [deep];
      return deep;
    }
    default:
      return 2_147_483_648;
  }
}

/** Every JSON path of a body, as key lists. */
function paths(node: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof node !== "object" || node === null) return out;
  for (const [k, v] of Object.entries(node)) {
    const p = [...at, Array.isArray(node) ? Number(k) : k];
    out.push(p);
    paths(v, p, out);
  }
  return out;
}

function mutate(g: Gen, body: Record<string, unknown>): void {
  const all = paths(body);
  if (all.length === 0) return;
  const p = g.pick(all);
  let parent: Record<string | number, unknown> = body as never;
  for (const k of p.slice(0, -1)) parent = parent[k] as never;
  const last = p[p.length - 1] as string | number;
  if (g.chance(0.2) && !Array.isArray(parent)) delete parent[last];
  else parent[last] = hostileValue(g);
}

/** A case's instance (before any bad answer): 0–3 tenants with applications and keys. */
function instance(g: Gen): Record<Endpoint, Record<string, unknown>> {
  const tenants: unknown[] = [];
  const applications: unknown[] = [];
  const keys: unknown[] = [];
  for (let i = g.chance(0.1) ? 0 : g.int(1, 3); i > 0; i--) {
    const id = uuid(g);
    const keyId = uuid(g);
    keys.push({
      id: keyId,
      kid: g.chance(0.5) ? g.pick(POOL) : `kid-${i}`,
      algorithm: g.pick(ALGORITHMS),
      name: name(g),
    });
    tenants.push({
      id,
      name: name(g),
      issuer: g.chance(0.9) ? `https://auth.example.com/${i}` : g.pick(POOL),
      jwtConfiguration: {
        enabled: true,
        timeToLiveInSeconds: g.pick([300, 1200, 3600, 86_400, 1]),
        accessTokenKeyId: keyId,
        idTokenKeyId: keyId,
        refreshTokenTimeToLiveInMinutes: g.pick([60, 1440, 43_200, 525_600]),
        refreshTokenExpirationPolicy: g.pick(POLICIES),
        refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: g.pick([1440, 259_200]) },
        refreshTokenUsagePolicy: g.pick(["OneTimeUse", "Reusable"]),
        refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: g.pick([0, 60, 86_399]) },
        refreshTokenRevocationPolicy: { onLoginPrevented: g.chance(0.5), onPasswordChanged: g.chance(0.5) },
      },
    });
    for (let j = g.int(0, 2); j > 0; j--)
      applications.push({
        id: uuid(g),
        tenantId: g.chance(0.9) ? id : uuid(g),
        name: name(g),
        oauthConfiguration: { authorizedRedirectURLs: Array.from({ length: g.int(0, 3) }, () => g.pick(REDIRECTS)) },
        jwtConfiguration: { enabled: g.chance(0.3), timeToLiveInSeconds: g.pick([600, 1200]) },
      });
  }
  return { "/api/tenant": { tenants }, "/api/application": { applications }, "/api/key": { keys } };
}

/** A bad answer for one endpoint: the network side of a hostile server. */
function badAnswer(g: Gen, endpoint: Endpoint, otherUrl: string): Answer {
  switch (g.int(0, 9)) {
    case 0:
      return { kind: "hang" };
    case 1:
      return { kind: "trickle", everyMs: 50 };
    case 2:
      return { kind: "huge", bytes: g.int(17, 40) * 1024 * 1024, declareLength: g.chance(0.5) };
    case 3:
      return { kind: "redirect", status: g.pick([301, 302, 307, 308]), location: `${otherUrl}${endpoint}` };
    case 4:
      return { kind: "redirect", status: 302, location: `/fa${endpoint}` };
    case 5:
      return { kind: "redirect", status: 302, location: g.pick(["http://[::1", "", "javascript:alert(1)"]) };
    case 6:
      return { kind: "raw", body: g.pick(['{"tenants": [', "<html>", "", "null", "[]", '"x"']) };
    case 7:
      return { kind: "raw", body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) };
    case 8:
      return { kind: "raw", body: "{}", contentLength: 1_000_000 };
    default:
      return { kind: "json", body: { general: [g.pick(POOL)] }, status: g.pick([500, 401, 403, 404, 302, 204]) };
  }
}

export interface FuzzCase {
  seed: number;
  scenario: Scenario;
  /** What the server holds, by endpoint, when each endpoint answers with it. */
  bodies: Record<Endpoint, Record<string, unknown>>;
}

export function fuzzCase(seed: number, otherUrl: string): FuzzCase {
  const g = gen(seed);
  const bodies = instance(g);
  if (g.chance(0.4)) for (let i = g.int(1, 3); i > 0; i--) mutate(g, bodies[g.pick(ENDPOINTS)]);
  const scenario: Scenario = {};
  for (const e of ENDPOINTS) scenario[e] = { kind: "json", body: bodies[e] };
  if (g.chance(0.15)) {
    const e = g.pick(ENDPOINTS);
    const a = badAnswer(g, e, otherUrl);
    scenario[e] = a;
    // The same-origin target (`/fa/...`) answers the fixture's baseline instance: that is what the server holds.
    if (a.kind === "redirect" && a.location.startsWith("/fa/")) bodies[e] = validBodies()[e];
  }
  return { seed, scenario, bodies };
}

export interface FuzzOutcome {
  seed: number;
  code: number;
  ms: number;
  crash?: string;
  hang?: boolean;
  /** Why the output or the stack file breaks the oracle. */
  wrong?: string;
  /** The error code or the first line of standard error, for a summary of what the cases reached. */
  reason?: string;
}

type Obj = Record<string, unknown>;
const REDIRECT_KEPT = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

/** The stack file against what the server held; undefined when it holds exactly that (documented mappings aside). */
export function checkStackFile(text: string, url: string, bodies: FuzzCase["bodies"]): string | undefined {
  const doc11 = parse(text, { version: "1.1" }) as { config: Obj };
  const doc12 = parse(text) as { config: Obj };
  if (JSON.stringify(doc11) !== JSON.stringify(doc12)) return "YAML 1.1 and 1.2 readers disagree on the file";
  const config = doc12.config;
  if (config["fusionauth-offline-kit:url"] !== url) return "url differs";
  const serverTenants = (bodies["/api/tenant"].tenants ?? []) as Obj[];
  const serverApps = (bodies["/api/application"].applications ?? []) as Obj[];
  for (const t of config["fusionauth-offline-kit:tenants"] as Obj[]) {
    const s = serverTenants.find((x) => x.id === t.id);
    if (s === undefined) return `tenant ${t.id} is not on the server`;
    if (s.name !== t.name) return `tenant ${t.id} name ${JSON.stringify(t.name)} != ${JSON.stringify(s.name)}`;
    if (s.issuer !== t.issuer) return `tenant ${t.id} issuer differs`;
    const adopted = (t.keys as { adopted?: { id: string } } | undefined)?.adopted;
    const signing = (s.jwtConfiguration as Obj | undefined)?.accessTokenKeyId;
    if (adopted !== undefined && adopted.id !== signing) return `tenant ${t.id} adopted key is not its signing key`;
    for (const a of (t.applications ?? []) as Obj[]) {
      const sa = serverApps.find((x) => x.id === a.id);
      if (sa === undefined || sa.tenantId !== t.id) return `application ${a.id} is not the server's of ${t.id}`;
      if (sa.name !== a.name) return `application ${a.id} name differs`;
      const want = (((sa.oauthConfiguration as Obj | undefined)?.authorizedRedirectURLs ?? []) as string[]).filter(
        (u) => REDIRECT_KEPT.test(u),
      );
      if (JSON.stringify(want) !== JSON.stringify(a.redirectUris)) return `application ${a.id} redirect URIs differ`;
    }
  }
  return undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const TERMINAL_ACTS_ON = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Runs one case in-process against `server` (answers as the case says) into `stacks/Pulumi.<stack>.yaml` of
 * `projectDir`, checks it against the oracle and removes what it wrote.
 */
export async function runFuzzCase(
  c: FuzzCase,
  server: HostileServer,
  projectDir: string,
  opts: { timeoutSeconds: number; hangAfterMs: number },
): Promise<FuzzOutcome> {
  server.serve(c.scenario);
  const stack = `fuzz-${c.seed}`;
  const file = path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`);
  const started = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => {
    watchdog = setTimeout(() => resolve("hang"), opts.hangAfterMs);
  });
  const argv = ["--url", server.url, "--stack", stack, "--timeout", String(opts.timeoutSeconds)];
  const r = await Promise.race([importInProcess(argv, projectDir, { FUSIONAUTH_API_KEY: "fuzz-key" }), hang]);
  clearTimeout(watchdog);
  const ms = Date.now() - started;
  try {
    if (r === "hang") return { seed: c.seed, code: -1, ms, hang: true };
    if (r.crash !== undefined || (r.code !== 0 && r.code !== 1))
      return { seed: c.seed, code: r.code, ms, crash: String((r.crash as Error)?.stack ?? r.stderr) };
    const reason =
      /\[(KIT_[A-Z_]+)\]/.exec(r.stderr)?.[1] ?? /KIT_[A-Z_]+/.exec(r.stderr)?.[0] ?? r.stderr.split("\n")[0];
    const out = { seed: c.seed, code: r.code, ms, ...(reason ? { reason } : {}) };
    if (TERMINAL_ACTS_ON.test(r.stdout + r.stderr)) return { ...out, wrong: "unescaped control character printed" };
    const written = existsSync(file);
    if (r.code === 1) return written ? { ...out, wrong: "exit 1 but a stack file was written" } : out;
    if (!written) return { ...out, wrong: "exit 0 without a stack file" };
    const why = checkStackFile(readFileSync(file, "utf8"), server.url, c.bodies);
    return why === undefined ? out : { ...out, wrong: why };
  } finally {
    rmSync(file, { force: true });
  }
}
