/**
 * `fakit revoke --stack NAME (--user ID [--app TENANT/APP] | --app TENANT/APP | --tenant TENANT) [--now ISO]
 * [--json]`: a stolen device or account, or a bad release. Revokes refresh tokens through FusionAuth's Revoke
 * Refresh Tokens API with the separate, narrow revoke key, then prints per application until when the revoked
 * devices can still be accepted offline. Checks before it writes: an unknown user, application or tenant, or a
 * key without the permission, changes nothing.
 * @see https://fusionauth.io/docs/apis/jwt#revoke-refresh-tokens
 */
import { createFusionAuthPort, type FusionAuthPort } from "../../fusionauth/client-port";
import { FusionAuthError } from "../../fusionauth/fusionauth-error";
import { REVOKE_API_KEY_PERMISSIONS } from "../../fusionauth/least-privilege";
import { isKitError, KitError } from "../../lib/errors";
import { renderSessionExposure, sessionExposure } from "../../plan/session-exposure";
import type { ApplicationState, DesiredState } from "../../stack/desired-state";
import { REVOKE_KEY, stackApiKey } from "../../toolchain/stack-api-key";
import { parseCommandLine, parseInstant, requireStackName, UsageError } from "../args";
import { reportKitError } from "../exit-status";
import { announceFusionAuth, loadStackForCommand } from "../load-stack";

const USAGE = `usage: fakit revoke --stack NAME --user ID [--app TENANT/APP]   a stolen device or account
       fakit revoke --stack NAME --app TENANT/APP                  every session of an application
       fakit revoke --stack NAME --tenant TENANT                   every session of a tenant's applications

Revokes refresh tokens (FusionAuth's Revoke Refresh Tokens API): the next online refresh fails. Prints per
application until when the revoked devices can still be accepted offline. --now sets the time printed from
(default: now); --json prints that as JSON.
Uses its own narrow key: FUSIONAUTH_REVOKE_API_KEY, or the stack secret ${REVOKE_KEY.config}; it needs
${Object.entries(REVOKE_API_KEY_PERMISSIONS)
  .map(([e, m]) => `${m.join(", ")} ${e}`)
  .join(" and ")} (docs/least-privilege.md).
Exit status: 0 revoked, 1 nothing revoked (unknown user, refused key, FusionAuth unreachable), 2 usage error.`;

type Target =
  | { kind: "user"; userId: string; app?: string }
  | { kind: "app"; app: string }
  | { kind: "tenant"; tenant: string };

interface Args {
  stack: string;
  target: Target;
  now: number;
  json: boolean;
}

const SPEC = {
  command: "revoke",
  usage: USAGE,
  options: {
    stack: { type: "string", short: "s" },
    user: { type: "string" },
    app: { type: "string" },
    tenant: { type: "string" },
    now: { type: "string" },
    json: { type: "boolean" },
  },
} as const;

/** The command line, or `undefined` after `--help`. @throws {UsageError} */
function parse(argv: string[]): Args | undefined {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return undefined;
  const values = parsed.values;
  const stack = requireStackName(values.stack, SPEC);
  const now = Math.floor((parseInstant("--now", values.now, SPEC) ?? new Date()).getTime() / 1000);
  let target: Target;
  if (values.user !== undefined) {
    if (values.tenant !== undefined) throw new UsageError(SPEC, "--user goes with --app, not --tenant");
    target = { kind: "user", userId: values.user, ...(values.app === undefined ? {} : { app: values.app }) };
  } else if (values.app !== undefined) {
    if (values.tenant !== undefined) throw new UsageError(SPEC, "give --app or --tenant, not both");
    target = { kind: "app", app: values.app };
  } else if (values.tenant !== undefined) target = { kind: "tenant", tenant: values.tenant };
  else throw new UsageError(SPEC, "name what to revoke: --user ID, --app TENANT/APP or --tenant TENANT");
  return { stack, target, now, json: values.json === true };
}

interface NamedApp {
  name: string;
  tenantId: string;
  app: ApplicationState;
}

function appsOf(state: DesiredState): NamedApp[] {
  return state.tenants.flatMap((t) =>
    t.applications.map((app) => ({ name: `${t.key}/${app.key}`, tenantId: t.id, app })),
  );
}

/** The applications a target names, or why it names none (nothing has been called yet). */
async function resolve(state: DesiredState, target: Target, port: FusionAuthPort): Promise<NamedApp[] | string> {
  const all = appsOf(state);
  const known = all.map((a) => a.name).join(", ");
  if (target.kind === "tenant") {
    const tenant = state.tenants.find((t) => t.key === target.tenant);
    if (tenant === undefined)
      return `no tenant ${target.tenant} in stack ${state.stack} (tenants: ${state.tenants.map((t) => t.key).join(", ")})`;
    return all.filter((a) => a.tenantId === tenant.id);
  }
  const named = target.app === undefined ? undefined : all.find((a) => a.name === target.app);
  if (target.app !== undefined && named === undefined)
    return `no application ${target.app} in stack ${state.stack} (applications: ${known})`;
  if (target.kind === "app") return [named as NamedApp];
  const user = await port.retrieveUser(target.userId);
  if (user === undefined) return `no user ${target.userId} in FusionAuth`;
  const ofTenant = all.filter((a) => a.tenantId === user.tenantId);
  if (named !== undefined) {
    if (named.tenantId !== user.tenantId) return `user ${target.userId} is not in the tenant of ${named.name}`;
    return [named];
  }
  if (ofTenant.length === 0)
    return `user ${target.userId} belongs to tenant ${user.tenantId}, which stack ${state.stack} does not manage`;
  return ofTenant;
}

/** Reports a failed call (a kit error, else a kit bug is thrown on) and what it left undone; the exit status. */
function refused(err: unknown, outcome: string): number {
  if (!isKitError(err)) throw err;
  const status = err instanceof FusionAuthError ? err.status : undefined;
  if (status === 401 || status === 403) {
    const needs = Object.entries(REVOKE_API_KEY_PERMISSIONS)
      .map(([endpoint, methods]) => `${methods.join(", ")} ${endpoint}`)
      .join(" and ");
    const message = `FusionAuth refused the revoke key (${status}): it needs ${needs} (docs/least-privilege.md)`;
    return reportKitError("revoke", err, { message, outcome });
  }
  return reportKitError("revoke", err, { outcome });
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === undefined) return 0;
  const loaded = loadStackForCommand("revoke", args.stack, "nothing revoked");
  if ("exitCode" in loaded) return loaded.exitCode;
  const { state } = loaded;

  let port: FusionAuthPort;
  let apps: NamedApp[];
  try {
    announceFusionAuth(state, args.json);
    const apiKey = await stackApiKey(args.stack, loaded.repoRoot, REVOKE_KEY);
    port = createFusionAuthPort({ url: state.url, apiKey });
    const resolved = await resolve(state, args.target, port);
    if (typeof resolved === "string") throw new KitError("KIT_REVOKE_TARGET_UNKNOWN", resolved);
    apps = resolved;
  } catch (err) {
    return refused(err, "nothing revoked");
  }

  const t = args.target;
  const calls: { label: string; call: () => Promise<void> }[] =
    t.kind === "user"
      ? t.app === undefined
        ? [{ label: `user ${t.userId}`, call: () => port.revokeRefreshTokens({ userId: t.userId }) }]
        : [
            {
              label: `user ${t.userId} in ${t.app}`,
              call: () => port.revokeRefreshTokens({ userId: t.userId, applicationId: (apps[0] as NamedApp).app.id }),
            },
          ]
      : apps.map((a) => ({ label: a.name, call: () => port.revokeRefreshTokens({ applicationId: a.app.id }) }));
  const done: string[] = [];
  for (const c of calls) {
    try {
      await c.call();
      done.push(c.label);
    } catch (err) {
      return refused(err, done.length === 0 ? "nothing revoked" : `already revoked: ${done.join(", ")}`);
    }
  }

  const exposure = sessionExposure(apps, args.now);
  if (args.json) {
    console.log(JSON.stringify({ revoked: done, applications: exposure }, null, 2));
    return 0;
  }
  const who =
    t.kind === "user"
      ? `user ${t.userId}`
      : t.kind === "app"
        ? `every session of ${t.app}`
        : `every session of tenant ${t.tenant}`;
  console.log(`revoked the refresh tokens of ${who}${t.kind === "user" && t.app !== undefined ? ` in ${t.app}` : ""}`);
  console.log(renderSessionExposure(exposure).join("\n"));
  return 0;
}
