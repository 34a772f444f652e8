// `fakit import` and the project's other stack files: keys the operator knows are kept (before: the shipped
// local stack's `field-ops`, named "Field Operations", came back as `field-operations`, moving its bundle paths;
// tenants with one name swapped their `-2` suffixes when another appeared), and a tenant another stack file
// already manages, alone or through stacks/kit.yaml's environments, is refused without --force (before: written
// silently, two stacks then undoing each other's changes).
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applicationId, tenantId } from "../../src/fusionauth/ids";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { createKitProject, type KitProject } from "../../testkit/helpers/kit-project";
import {
  type HostileServer,
  type Scenario,
  startHostileServer,
  validBodies,
} from "../../testkit/import/hostile-server";
import { importInProcess } from "../../testkit/import/import-in-process";
import { runFakit } from "../helpers/fakit";

const ENV = { FUSIONAUTH_API_KEY: "ownership-test-key" };
const NOW = "2026-11-29T12:00:00Z";
let server: HostileServer;
let project: KitProject;

beforeAll(async () => {
  server = await startHostileServer();
  project = createKitProject();
  for (const f of ["Pulumi.local.yaml", "kit.yaml", "Pulumi.dev.yaml"])
    copyFileSync(path.join(REPO_ROOT, "stacks", f), path.join(project.dir, "stacks", f));
});

afterAll(async () => {
  await server?.close();
  project?.dispose();
});

/** The valid instance with its one tenant (and application) given these ids and names. */
function instance(tenants: { id: string; name: string; app?: { id: string; name: string } }[]): Scenario {
  const base = validBodies();
  const template = base["/api/tenant"].tenants?.[0] as object;
  const app = base["/api/application"].applications?.[0] as object;
  return {
    "/api/tenant": { kind: "json", body: { tenants: tenants.map((t) => ({ ...template, id: t.id, name: t.name })) } },
    "/api/application": {
      kind: "json",
      body: {
        applications: tenants.flatMap((t) => (t.app ? [{ ...app, ...t.app, tenantId: t.id }] : [])),
      },
    },
  };
}

const stackFile = (stack: string) => path.join(project.dir, "stacks", `Pulumi.${stack}.yaml`);
const tenantsOf = (stack: string) =>
  parse(readFileSync(stackFile(stack), "utf8")).config["fusionauth-offline-kit:tenants"] as {
    key: string;
    id: string;
    applications?: { key: string; id: string }[];
  }[];

const FIELD_OPS = {
  id: tenantId("local", "field-ops"),
  name: "Field Operations",
  app: { id: applicationId("local", "field-ops", "inspector"), name: "Site Inspector" },
};

describe("fakit import keeps the keys an operator knows", () => {
  it("re-importing the local stack keeps field-ops and inspector, not keys derived from today's names", async () => {
    server.serve(instance([FIELD_OPS]));
    const before = readFileSync(stackFile("local"), "utf8");
    try {
      const r = await importInProcess(
        ["--url", server.url, "--stack", "local", "--force", "--now", NOW],
        project.dir,
        ENV,
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(tenantsOf("local")).toMatchObject([
        { key: "field-ops", id: FIELD_OPS.id, applications: [{ key: "inspector", id: FIELD_OPS.app.id }] },
      ]);
    } finally {
      project.writeStack("local", before);
    }
  });

  it("keys of tenants with one name stay put when FusionAuth gains another of that name", async () => {
    const a = { id: "aaaaaaaa-0000-4000-8000-000000000001", name: "Crews" };
    const b = { id: "bbbbbbbb-0000-4000-8000-000000000002", name: "Crews" };
    const first = { id: "00000000-0000-4000-8000-000000000003", name: "Crews" };
    const argv = ["--url", server.url, "--stack", "crews", "--force", "--now", NOW];
    server.serve(instance([b, a]));
    expect((await importInProcess(argv, project.dir, ENV)).code).toBe(0);
    const keys = () => Object.fromEntries(tenantsOf("crews").map((t) => [t.id, t.key]));
    expect(keys()).toEqual({ [a.id]: "crews", [b.id]: "crews-2" });
    server.serve(instance([b, first, a]));
    expect((await importInProcess(argv, project.dir, ENV)).code).toBe(0);
    expect(keys()).toEqual({ [a.id]: "crews", [b.id]: "crews-2", [first.id]: "crews-3" });
    rmSync(stackFile("crews"));
  });
});

describe("fakit import refuses a tenant another stack file manages", () => {
  it("the CLI: exit 1 naming the stack file and its key, nothing written; --force writes it with that key", async () => {
    server.serve(instance([FIELD_OPS]));
    const argv = ["import", "--url", server.url, "--stack", "copy", "--now", NOW];
    const refused = await runFakit(argv, project.dir, ENV);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `fakit import: tenant field-ops ("Field Operations", ${FIELD_OPS.id}) is already managed by stacks/Pulumi.local.yaml (as field-ops): two stacks managing one tenant undo each other's changes [KIT_IMPORT_TENANT_MANAGED]`,
    );
    expect(refused.stderr).toContain("nothing written");
    expect(existsSync(stackFile("copy"))).toBe(false);

    const forced = await runFakit([...argv, "--force"], project.dir, ENV);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain("warning: tenant field-ops");
    expect(tenantsOf("copy")).toMatchObject([{ key: "field-ops", id: FIELD_OPS.id }]);
    rmSync(stackFile("copy"));
  });

  it("a tenant of stacks/kit.yaml's environments (the dev stack's derived id) is refused too", async () => {
    server.serve(instance([{ id: tenantId("dev", "clinic"), name: "Clinic (dev)" }]));
    const r = await importInProcess(["--url", server.url, "--stack", "copy", "--now", NOW], project.dir, ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is already managed by stacks/Pulumi.dev.yaml (as clinic)");
    expect(r.stderr).toContain("[KIT_IMPORT_TENANT_MANAGED]");
    expect(existsSync(stackFile("copy"))).toBe(false);
  });
});
