/**
 * Error bodies and typed errors of the emulator.
 *
 * FusionAuth answers a validation failure with 400 and an `Errors` body (`fieldErrors` keyed by field path,
 * `generalErrors`), each entry a `{code, message}` whose code reads `[reason]field.path`.
 * @see https://fusionauth.io/docs/apis/errors
 */

import { type EmulatorErrorCode, KitError } from "../lib/errors";

/** One FusionAuth error entry. */
export interface ApiErrorEntry {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

/** The FusionAuth `Errors` body. */
export interface ErrorsBody {
  fieldErrors?: Record<string, ApiErrorEntry[]>;
  generalErrors?: ApiErrorEntry[];
}

/**
 * An HTTP answer other than success, thrown by route handlers and turned into a response by the server.
 * `body` undefined means an empty body (FusionAuth's 401, 404 and 500).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Collects field and general errors, then throws once (400) if any was added. */
export class ErrorCollector {
  private readonly fields: Record<string, ApiErrorEntry[]> = {};
  private readonly general: ApiErrorEntry[] = [];

  /** Adds `[reason]field` for `field`. */
  field(field: string, reason: string, message: string): this {
    const list = this.fields[field] ?? [];
    list.push({ code: `[${reason}]${field}`, message });
    this.fields[field] = list;
    return this;
  }

  /**
   * A value of the wrong JSON type at `field`, worded like FusionAuth's JSON binding (code `[invalidJSON]`,
   * without the field suffix, as prime-mvc's JacksonContentHandler adds it).
   */
  invalidJson(field: string, detail: string): this {
    const list = this.fields[field] ?? [];
    list.push({
      code: "[invalidJSON]",
      message: `Unable to parse JSON. The property [${field}] was invalid. The error was [Possible conversion error]. The detailed exception was [${detail}].`,
    });
    this.fields[field] = list;
    return this;
  }

  general_(code: string, message: string): this {
    this.general.push({ code, message });
    return this;
  }

  get empty(): boolean {
    return Object.keys(this.fields).length === 0 && this.general.length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ApiError(400, this.toBody());
  }

  toBody(): ErrorsBody {
    const body: ErrorsBody = {};
    if (Object.keys(this.fields).length > 0) body.fieldErrors = this.fields;
    if (this.general.length > 0) body.generalErrors = this.general;
    return body;
  }
}

/** Throws a 400 with a single field error. */
export function fieldError(field: string, reason: string, message: string): never {
  throw new ApiError(400, new ErrorCollector().field(field, reason, message).toBody());
}

/**
 * Throws FusionAuth's 400 for a path segment that is not a UUID (`/api/user/not-a-uuid`), as it answers for
 * any id it cannot convert.
 */
export function idNotUuid(param: string, raw: string): never {
  const shown = raw.length > 100 ? `${raw.slice(0, 100)}…` : raw;
  throw new ApiError(400, {
    fieldErrors: {
      [param]: [
        {
          code: `[couldNotConvert]${param}`,
          message: `Invalid ${param} [${shown}]. This must be a valid UUID String (e.g. 25a872da-bb44-4af8-a43d-e7bcb5351ebc).`,
        },
      ],
    },
  } satisfies ErrorsBody);
}

/** Throws a 400 with a single general error. */
export function generalError(code: string, message: string): never {
  throw new ApiError(400, { generalErrors: [{ code, message }] } satisfies ErrorsBody);
}

export const notFound = (): never => {
  throw new ApiError(404);
};

export const unauthorized = (): never => {
  throw new ApiError(401);
};

export type { EmulatorErrorCode };

/**
 * A failure of the emulator process itself (bad data file, port in use), reported without a stack trace. Unlike
 * {@link ApiError}, which is FusionAuth's answer on the wire and stays inside the emulator, this one reaches the
 * user of `fakit emulator`.
 */
export class EmulatorError extends KitError {
  override readonly name = "EmulatorError";
  declare readonly code: EmulatorErrorCode;
  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
