/**
 * Raw HTTP requests to the emulator, for what the FusionAuth client never sends: malformed paths and bodies,
 * odd content types, lying Content-Length headers, chunked bodies, forged Host headers.
 */
import { request } from "node:http";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | number>;
  /** Sent as is; omitted means no body. */
  body?: string | Buffer;
}

/** Sends one request and resolves with the answer. */
export function raw(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  // Frame the body explicitly: node sends a GET or DELETE body unframed otherwise, and the server would read
  // it as the next request.
  const headers = r.body === undefined ? r.headers : { "Content-Length": Buffer.byteLength(r.body), ...r.headers };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

/**
 * Starts a request whose body is written by `write` (which may never finish it) and resolves with the answer
 * as soon as it arrives: proves the server answered without waiting for (or reading) the whole body.
 */
export function rawStreaming(
  baseUrl: string,
  r: Omit<RawRequest, "body">,
  write: (req: ReturnType<typeof request>) => void,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers: r.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") });
          req.destroy();
        });
      },
    );
    // The server closes the connection while the client still writes: EPIPE/ECONNRESET are expected then.
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE" && e.code !== "ECONNRESET") reject(e);
    });
    write(req);
  });
}

/** Parses a JSON answer body, failing the test with the text when it is not JSON. */
// biome-ignore lint/suspicious/noExplicitAny: error and object bodies are arbitrary JSON.
export function json(r: RawResponse): any {
  try {
    return JSON.parse(r.text);
  } catch {
    throw new Error(`expected a JSON body, got HTTP ${r.status}: ${r.text.slice(0, 200)}`);
  }
}
