/**
 * Retries with exponential backoff and jitter for calls that are safe to repeat: reads, PUTs and DELETEs, and
 * creates made idempotent by a deterministic id (see `client-port.ts`).
 */

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 200, maxDelayMs: 5_000 };

/**
 * HTTP statuses worth another try: throttling and transient server trouble. An array, not a Set: the dynamic
 * providers are serialized by value into the Pulumi state, and a captured Set comes back as a plain object whose
 * `has` throws ("called on incompatible receiver"), which turned every retryable answer into a failure.
 */
export const RETRYABLE_STATUS: readonly number[] = [429, 500, 502, 503, 504];

/** A failure worth another try: a retryable status, or no status at all (connection refused, reset, dropped). */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || RETRYABLE_STATUS.includes(status);
}

export async function withRetry<T>(
  call: () => Promise<T>,
  statusOf: (err: unknown) => number | undefined | "fatal",
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const status = statusOf(err);
      if (status === "fatal" || !isRetryable(status) || attempt >= options.attempts) throw err;
      const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}
