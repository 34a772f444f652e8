/**
 * A FusionAuth that lies, for `fakit import` tests: an HTTP server on 127.0.0.1 (port 0) answering each of the
 * three endpoints the import reads as the test says: a valid instance by default, or a malformed shape, a
 * response that never comes or trickles, one of hundreds of megabytes (generated as it is sent, counted), a
 * redirect, escape sequences in names. It records each request (path and whether it carried the API key).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const TENANT_ID = "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01";
export const APP_ID = "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
export const KEY_ID = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";

export type Endpoint = "/api/tenant" | "/api/application" | "/api/key";

/** How one endpoint answers. */
export type Answer =
  /** A JSON body (serialized as given) with status 200, or another status. */
  | { kind: "json"; body: unknown; status?: number }
  /** Raw bytes as the body, status 200. */
  | { kind: "raw"; body: string | Buffer; contentLength?: number }
  /** Accepts the request and never answers. */
  | { kind: "hang" }
  /** Sends the head, then one byte of the body every `everyMs`, forever. */
  | { kind: "trickle"; everyMs: number }
  /** A 200 whose body is `bytes` long, generated as it is sent (never held in memory). */
  | { kind: "huge"; bytes: number; declareLength: boolean }
  /** A redirect to `location`. */
  | { kind: "redirect"; status: number; location: string };

export type Scenario = Partial<Record<Endpoint, Answer>>;

/** FusionAuth's bodies for a hand-configured instance: one ES256-signed tenant, one native app, its key. */
export function validBodies(): Record<Endpoint, Record<string, unknown[]>> {
  return {
    "/api/tenant": {
      tenants: [
        {
          id: TENANT_ID,
          name: "Mobile Crews",
          issuer: "https://auth.example.com/crews",
          jwtConfiguration: {
            enabled: true,
            timeToLiveInSeconds: 1200,
            accessTokenKeyId: KEY_ID,
            idTokenKeyId: KEY_ID,
            refreshTokenTimeToLiveInMinutes: 43_200,
            refreshTokenExpirationPolicy: "SlidingWindowWithMaximumLifetime",
            refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: 259_200 },
            refreshTokenUsagePolicy: "OneTimeUse",
            refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: 60 },
            refreshTokenRevocationPolicy: {
              onLoginPrevented: true,
              onPasswordChanged: true,
              onMultiFactorEnable: true,
              onOneTimeTokenReuse: true,
            },
          },
        },
      ],
    },
    "/api/application": {
      applications: [
        {
          id: APP_ID,
          tenantId: TENANT_ID,
          name: "Crew App",
          oauthConfiguration: { authorizedRedirectURLs: ["com.example.crew:/oauth2/callback"] },
          jwtConfiguration: { enabled: false },
        },
      ],
    },
    "/api/key": { keys: [{ id: KEY_ID, kid: "crews-kid", algorithm: "ES256", name: "Mobile signing" }] },
  };
}

export interface HostileServer {
  url: string;
  port: number;
  /** What each endpoint answers until the next call; endpoints left out answer {@link validBodies}. */
  serve(scenario: Scenario): void;
  /** Requests since the last `serve`: path and the Authorization header. */
  requests: { path: string; authorization?: string }[];
  /** Bytes of generated (`huge`) bodies written since the last `serve`. */
  hugeBytesSent(): number;
  close(): Promise<void>;
}

const JSON_HEAD = { "Content-Type": "application/json" };

export async function startHostileServer(): Promise<HostileServer> {
  let scenario: Scenario = {};
  let sent = 0;
  const requests: HostileServer["requests"] = [];
  const open = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    // `/fa/api/tenant` answers as `/api/tenant` of the valid instance: the target of a same-origin redirect.
    const raw = (req.url ?? "").split("?")[0] ?? "";
    const path = raw.replace(/^\/fa(?=\/)/, "") as Endpoint;
    requests.push({
      path: raw,
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    });
    const valid = validBodies()[path];
    const a: Answer =
      (raw === path ? scenario[path] : undefined) ??
      (valid === undefined ? { kind: "json", body: {}, status: 404 } : { kind: "json", body: valid });
    open.add(res);
    res.on("close", () => open.delete(res));
    switch (a.kind) {
      case "json":
        res.writeHead(a.status ?? 200, JSON_HEAD).end(JSON.stringify(a.body));
        return;
      case "raw":
        res.writeHead(200, {
          ...JSON_HEAD,
          ...(a.contentLength === undefined ? {} : { "Content-Length": a.contentLength }),
        });
        res.end(a.body);
        return;
      case "hang":
        return;
      case "trickle": {
        res.writeHead(200, JSON_HEAD);
        const t = setInterval(() => res.write(" "), a.everyMs);
        timers.add(t);
        res.on("close", () => {
          clearInterval(t);
          timers.delete(t);
        });
        return;
      }
      case "huge": {
        res.writeHead(200, { ...JSON_HEAD, ...(a.declareLength ? { "Content-Length": a.bytes } : {}) });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        chunk.write('{"tenants":[');
        let left = a.bytes;
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const n = Math.min(left, chunk.length);
            left -= n;
            sent += n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once("drain", pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
        return;
      }
      case "redirect":
        res.writeHead(a.status, { Location: a.location }).end();
        return;
    }
  };

  const server: Server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    serve(s) {
      scenario = s;
      sent = 0;
      requests.length = 0;
    },
    requests,
    hugeBytesSent: () => sent,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
