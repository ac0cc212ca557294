/**
 * The rate-limit store contract shared by the HTTP limiter and the login
 * throttles. One `decide` call covers every limit that applies to a request,
 * all-or-nothing: a request rejected by one limit consumes none of the others.
 * @module
 */

/** One limit to check: `limit` per `windowMs` for `key`, GCRA semantics. */
export interface LimitSpec {
  /** Policy name, rendered in `RateLimit-Policy` (`"ip"`, `"user"`, `"login-account"`). */
  name: string;
  /** Bucket key (already namespaced/hashed by the caller's policy). */
  key: string;
  /** Requests allowed per window; a fresh key may spend all of them at once. */
  limit: number;
  windowMs: number;
  /** Units this request spends (default 1). */
  cost?: number;
}

/** The state of one limit after a decision. */
export interface LimitState {
  name: string;
  limit: number;
  windowMs: number;
  /** Units left right now. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** Milliseconds until this limit alone would admit the request (0 when it does). */
  retryAfterMs?: number;
}

/** The outcome of {@link RateLimitStore.decide}. */
export type Decision =
  | { allowed: true; states: LimitState[] }
  | {
      allowed: false;
      states: LimitState[];
      /** Name of the (first) limit that rejected. */
      blockedBy: string;
      /** Milliseconds until the request would be allowed. */
      retryAfterMs: number;
    };

/** Options of a decision. */
export interface DecideOptions {
  /** Report what would happen without consuming anything. */
  peek?: boolean;
}

/** Health of the store for `/readyz` and `/v1/admin/status`. */
export interface StoreHealth {
  kind: "redis" | "memory";
  state: "ready" | "connecting" | "unavailable";
}

/** A place where rate-limit state lives (Redis, or memory in development). */
export interface RateLimitStore {
  /**
   * Decides all `limits` at once. Rejects with a `StoreUnavailableError` when
   * the store cannot answer in time; callers outside development fail closed.
   */
  decide(limits: LimitSpec[], options?: DecideOptions): Promise<Decision>;
  /** Forgets `keys` (e.g. an account's failure counter after a good login). */
  reset(keys: string[]): Promise<void>;
  /**
   * Gives back what an admitted decision of these `limits` spent (each limit's
   * `cost`, default 1), never beyond a full bucket. Rejects like `decide` when
   * the store cannot answer.
   */
  refund(limits: LimitSpec[]): Promise<void>;
  health(): StoreHealth;
  close(): Promise<void>;
}
