/**
 * Announces a breaker's state changes: a span event on the active span, then
 * each subscriber in turn.
 * @module
 */
import { spanEvent } from "../telemetry.ts";
import type { StateChange } from "./state.ts";

/** The subscribers of one breaker. */
export class StateChanges {
  private readonly listeners = new Set<(change: StateChange) => void>();

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records the change on the active span and tells every subscriber. */
  announce(change: StateChange): void {
    spanEvent("resilience.circuit.state_change", {
      "resilience.name": change.name,
      "resilience.circuit.from": change.from,
      "resilience.circuit.to": change.to,
    });
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's fault must not replace the call's outcome or skip other listeners.
      }
    }
  }
}
