/**
 * A local S3-compatible object store for end-to-end tests that keep Pulumi state where teams keep it: SeaweedFS's
 * `weed server` (master, volume, filer and S3 gateway in one process) on 127.0.0.1, from scripts/ensure-weed
 * (on PATH, or built from its Go module and cached). In CI (`CI=true`) a missing `weed` fails the run; elsewhere
 * the tests that need it are skipped, with one line saying so.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

let cached: Promise<string | undefined> | undefined;

/** The directory holding `weed`, or undefined (outside CI) when it can be neither found nor built. */
export function seaweedBinDir(): Promise<string | undefined> {
  cached ??= new Promise((resolve, reject) => {
    execFile(
      "bash",
      [path.join(REPO_ROOT, "scripts", "ensure-weed")],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve(stdout.trim().split("\n").pop());
          return;
        }
        if (process.env.CI) {
          reject(new Error(`ensure-weed failed:\n${stderr.trim()}`));
          return;
        }
        console.warn(`!!! SKIPPING the S3 state tests: no SeaweedFS. ${stderr.trim().split("\n").pop() ?? ""}`);
        resolve(undefined);
      },
    );
  });
  return cached;
}

/** A port free on 127.0.0.1 at the time of asking. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Seaweed {
  /** The S3 endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The environment an S3 client needs (any key: the store runs without identities). */
  credentials: Record<string, string>;
  /** Creates a bucket; resolves to its Pulumi backend URL (`s3://<bucket>?endpoint=...`). */
  createBucket(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `weed server` with its data under `dir`, and waits until its S3 gateway answers. */
export async function startSeaweed(binDir: string, dir: string): Promise<Seaweed> {
  mkdirSync(dir, { recursive: true });
  const ports: number[] = [];
  for (let i = 0; i < 8; i++) ports.push(await freePort());
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const log = path.join(dir, "weed.log");
  const out = openSync(log, "a");
  const child: ChildProcess = spawn(
    path.join(binDir, "weed"),
    [
      "server",
      `-dir=${dir}`,
      "-ip=127.0.0.1",
      "-ip.bind=127.0.0.1",
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      "-master.volumeSizeLimitMB=64",
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      "-volume.max=8",
      "-filer",
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      "-s3",
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      // No Iceberg catalog (it listens on 8181 by default); the local sockets beside the data.
      "-s3.port.iceberg=0",
      `-filer.localSocket=${path.join(dir, "filer.sock")}`,
      `-s3.localSocket=${path.join(dir, "s3.sock")}`,
    ],
    { stdio: ["ignore", out, out] },
  );
  const endpoint = `http://127.0.0.1:${s3}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  // The gateway answers once the master, the volume server and the filer are up: a bucket PUT then succeeds.
  const createBucket = async (name: string): Promise<string> => {
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`weed exited (${child.exitCode}):\n${readFileSync(log, "utf8")}`);
      try {
        const res = await fetch(`${endpoint}/${name}`, { method: "PUT", signal: AbortSignal.timeout(5_000) });
        if (res.ok) return `s3://${name}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&use_path_style=true`;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await stop();
    throw new Error(`the S3 gateway of weed never answered at ${endpoint}:\n${readFileSync(log, "utf8")}`);
  };
  return {
    endpoint,
    credentials: {
      AWS_ACCESS_KEY_ID: "fakit-test",
      AWS_SECRET_ACCESS_KEY: "fakit-test-secret",
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    createBucket,
    stop,
  };
}
