/**
 * The bundle signing key on disk (edge): generating a key pair, reading the private key the pipeline holds and the
 * public key an app pins, and the local development key of the embedded default (`npm start`, stack `local`) under
 * `.fakit/bundle-signing/`, which git ignores. The private key file is written with mode 0600 and never copied
 * into a bundle.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { type BundleSigningKey, BundleSigningKeyError, readSigningJwk } from "./sign";
import { BUNDLE_JWS_ALGORITHM, verificationKeyProblems } from "./signature";

export const PRIVATE_KEY_FILE = "private.jwk.json";
export const PUBLIC_KEY_FILE = "public.jwk.json";
/** Where the local development key lives, relative to the repository root. */
export const LOCAL_SIGNING_DIR = path.join(".fakit", "bundle-signing");
/** The environment variable naming the private key file, as a CI secret file would be provided. */
export const SIGNING_KEY_ENV = "FAKIT_BUNDLE_SIGNING_KEY";

export interface GeneratedKeyFiles {
  privatePath: string;
  publicPath: string;
  kid: string;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleSigningKeyError(`cannot read the ${what} ${file} (${code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BundleSigningKeyError(`the ${what} ${file} is not JSON (a JWK is expected)`);
  }
}

/** `lstat` of `file`, or `undefined` when nothing (not even a dangling symlink) is there. */
function lstatOrUndefined(file: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Creates `file` with `text` and `mode`, never through a symlink: `O_CREAT | O_EXCL | O_NOFOLLOW` fails on
 * anything already there, a dangling symlink included (a plain write would create the symlink's target).
 */
function createExclusive(file: string, text: string, mode: number): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `file` whatever is there: a fresh file beside it ({@link createExclusive}), then one rename over it. A
 * rename replaces a symlink itself, never the file it points at, and readers see the old content or the new.
 */
function replaceAtomically(file: string, text: string, mode: number): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    createExclusive(temp, text, mode);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * Why `dir` is no place for a private key, or `undefined`: a folder other users may write to lets them swap the
 * key files (or the folder's entries) for their own.
 */
export function unsafeKeyFolderProblem(dir: string): string | undefined {
  if (process.platform === "win32") return undefined;
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o002) === 0) return undefined;
  return `${dir} is writable by other users (mode 0${mode.toString(8)}); a private key needs a folder only you can write to: chmod o-w it or pick another`;
}

/**
 * Generates an EC P-256 key pair into `dir`: `private.jwk.json` (mode 0600) and `public.jwk.json`. Files are
 * created exclusively and never through a symlink; with `force`, each is replaced by one rename.
 * @throws {BundleSigningKeyError} when a key is already there and `force` is not set, or `dir` is writable by
 *   other users.
 */
export async function generateSigningKeyFiles(dir: string, force = false): Promise<GeneratedKeyFiles> {
  const privatePath = path.join(dir, PRIVATE_KEY_FILE);
  const publicPath = path.join(dir, PUBLIC_KEY_FILE);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleSigningKeyError(`cannot create the folder ${dir} (${code ?? (err as Error).message})`, {
      cause: err,
    });
  }
  const unsafe = unsafeKeyFolderProblem(dir);
  if (unsafe !== undefined) throw new BundleSigningKeyError(unsafe);
  if (!force && (lstatOrUndefined(privatePath) !== undefined || lstatOrUndefined(publicPath) !== undefined))
    throw new BundleSigningKeyError(
      `${privatePath} or ${publicPath} exists already; apps pin the old public key, so replacing it needs --force`,
    );
  const pair = await generateKeyPair(BUNDLE_JWS_ALGORITHM, { extractable: true });
  const exported = await exportJWK(pair.privateKey);
  const key = await readSigningJwk(exported);
  const privateJwk = { ...exported, kid: key.kid, alg: BUNDLE_JWS_ALGORITHM, use: "sig" };
  const write = force ? replaceAtomically : createExclusive;
  try {
    write(privatePath, `${JSON.stringify(privateJwk, null, 2)}\n`, 0o600);
    write(publicPath, `${JSON.stringify(key.publicJwk, null, 2)}\n`, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ELOOP")
      throw new BundleSigningKeyError(
        `${privatePath} or ${publicPath} appeared while writing (${code}); nothing was followed or overwritten: run it again`,
      );
    throw new BundleSigningKeyError(`cannot write the key files in ${dir} (${code ?? (err as Error).message})`, {
      cause: err,
    });
  }
  return { privatePath, publicPath, kid: key.kid };
}

/** Reads the pipeline's private key file. @throws {BundleSigningKeyError} */
export async function loadSigningKeyFile(file: string): Promise<BundleSigningKey> {
  try {
    return await readSigningJwk(readJson(file, "bundle signing key"));
  } catch (err) {
    if (err instanceof BundleSigningKeyError && !err.message.includes(file))
      throw new BundleSigningKeyError(`${file}: ${err.message}`);
    throw err;
  }
}

/**
 * A warning when the private key file can be read by other users (POSIX permissions), `undefined` otherwise:
 * a secret left world-readable on a shared runner is a leak waiting to happen.
 */
export function signingKeyFileWarning(file: string): string | undefined {
  if (process.platform === "win32") return undefined;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `${file} is readable by other users (mode 0${mode.toString(8)}); restrict it with chmod 600`;
}

/** Reads the public key an app pins. @throws {BundleSigningKeyError} */
export function loadVerifyKeyFile(file: string): JWK {
  const jwk = readJson(file, "bundle verification key");
  const problems = verificationKeyProblems(jwk);
  if (problems.length > 0)
    throw new BundleSigningKeyError(`${file} is not a bundle verification key: it is ${problems.join("; ")}`);
  return jwk as JWK;
}

/** The local development key, generated on first use. */
export async function ensureLocalSigningKey(
  repoRoot: string,
): Promise<{ key: BundleSigningKey; generated: boolean; privatePath: string; publicPath: string }> {
  const dir = path.join(repoRoot, LOCAL_SIGNING_DIR);
  const privatePath = path.join(dir, PRIVATE_KEY_FILE);
  const publicPath = path.join(dir, PUBLIC_KEY_FILE);
  if (existsSync(privatePath))
    return { key: await loadSigningKeyFile(privatePath), generated: false, privatePath, publicPath };
  await generateSigningKeyFiles(dir);
  return { key: await loadSigningKeyFile(privatePath), generated: true, privatePath, publicPath };
}
