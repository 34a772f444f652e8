// A recording HTTP proxy in front of the emulator: every request the kit's port sends (through
// @fusionauth/typescript-client, which uses node-fetch, so a patched global fetch would see nothing) and every
// answer, as parsed JSON, for the contract test.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Exchange {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

export interface RecordingProxy {
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const json = (text: string): unknown => (text === "" ? undefined : JSON.parse(text));

/** Starts a proxy on a free port forwarding to `target` (an http URL). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", target);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    }
    const answer = await fetch(url, { method: req.method, headers, body: body === "" ? undefined : body });
    const text = await answer.text();
    exchanges.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search,
      // OAuth form posts are not JSON: recorded as no JSON body (the OpenAPI description models them as none).
      requestBody: String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
        ? undefined
        : json(body),
      status: answer.status,
      responseBody: json(text),
    });
    const type = answer.headers.get("content-type");
    res.writeHead(answer.status, type === null ? {} : { "content-type": type });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
