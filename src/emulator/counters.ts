/**
 * Request counters by method and route template (`PUT /api/tenant/{tenantId}`), with totals by kind.
 *
 * Kinds: `write` changes a configuration object (key, tenant, application, user, registration, password);
 * `session` issues, refreshes or revokes tokens (login, JWT refresh, OAuth token, refresh-token revocation);
 * `read` is everything else (GETs and searches, JWKS, discovery, validate). A no-op deployment makes 0 writes.
 */
export type RequestKind = "read" | "write" | "session";

export interface CountersSnapshot {
  total: number;
  reads: number;
  writes: number;
  sessions: number;
  /** Requests that matched no route, counted by `METHOD path`. */
  unmatched: Record<string, number>;
  /** `METHOD /route/{template}` → count. */
  byRoute: Record<string, number>;
}

export class RequestCounters {
  private snapshotData: CountersSnapshot = RequestCounters.empty();

  private static empty(): CountersSnapshot {
    return { total: 0, reads: 0, writes: 0, sessions: 0, unmatched: {}, byRoute: {} };
  }

  record(method: string, template: string, kind: RequestKind): void {
    const s = this.snapshotData;
    s.total++;
    if (kind === "read") s.reads++;
    else if (kind === "write") s.writes++;
    else s.sessions++;
    const key = `${method} ${template}`;
    s.byRoute[key] = (s.byRoute[key] ?? 0) + 1;
  }

  recordUnmatched(method: string, path: string): void {
    this.snapshotData.total++;
    const key = `${method} ${path}`;
    this.snapshotData.unmatched[key] = (this.snapshotData.unmatched[key] ?? 0) + 1;
  }

  snapshot(): CountersSnapshot {
    return structuredClone(this.snapshotData);
  }

  reset(): void {
    this.snapshotData = RequestCounters.empty();
  }
}
