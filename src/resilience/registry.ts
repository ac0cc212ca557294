/**
 * Named breakers, so the admin status route can list every breaker with its
 * state and counts. `withCircuitBreaker(name, …)` registers in the default
 * registry; the first registration of a name wins and later ones share it
 * (the seed's decorator may run once per module import).
 * @module
 */
import { CircuitBreaker } from "./breaker/circuitBreaker.ts";
import type { CircuitBreakerOptions } from "./breaker/options.ts";
import type { BreakerSnapshot } from "./breaker/state.ts";

/** A set of breakers by name. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  /** The breaker called `name`, created with `opts` if there is none yet. */
  getOrCreate(name: string, opts: CircuitBreakerOptions = {}): CircuitBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker({ ...opts, name });
      this.breakers.set(name, breaker);
    }
    return breaker;
  }

  /** Adds an existing breaker under its name; throws if the name is taken by another. */
  register(breaker: CircuitBreaker): CircuitBreaker {
    const existing = this.breakers.get(breaker.name);
    if (existing && existing !== breaker) {
      throw new Error(`circuit breaker "${breaker.name}" is already registered`);
    }
    this.breakers.set(breaker.name, breaker);
    return breaker;
  }

  get(name: string): CircuitBreaker | undefined {
    return this.breakers.get(name);
  }

  /** Removes a breaker; true when it was there. */
  delete(name: string): boolean {
    return this.breakers.delete(name);
  }

  /** Snapshots of every breaker, sorted by name (JSON-safe). */
  list(): BreakerSnapshot[] {
    return [...this.breakers.values()]
      .map((breaker) => breaker.snapshot())
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Forgets every breaker (tests). */
  clear(): void {
    this.breakers.clear();
  }
}

/** The process-wide registry used by `withCircuitBreaker`. */
export const breakerRegistry = new BreakerRegistry();
