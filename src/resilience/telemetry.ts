/**
 * OpenTelemetry hooks: span events on the active span for rare things (retries,
 * state changes) and one counter for outcomes. Both are no-ops without an SDK.
 * @module
 */
import {
  type Attributes,
  type Counter,
  type MeterProvider,
  metrics,
  trace,
} from "@opentelemetry/api";

/** Adds an event to the active span, if any. */
export function spanEvent(name: string, attributes: Attributes): void {
  trace.getActiveSpan()?.addEvent(name, attributes);
}

let provider: MeterProvider | undefined;
let counter: Counter | undefined;

/**
 * Counts one outcome (`resilience.outcomes`). The metrics API has no proxy
 * provider, so the counter is re-created if the global provider changes
 * (e.g. the SDK started after the first call).
 */
export function countOutcome(attributes: Attributes): void {
  const current = metrics.getMeterProvider();
  if (current !== provider || !counter) {
    provider = current;
    counter = current.getMeter("trading-server/resilience").createCounter("resilience.outcomes", {
      description: "Outcomes of calls through resilience policies",
    });
  }
  counter.add(1, attributes);
}

/** Attribute sets for each outcome of one named policy, built once so counting allocates nothing. */
export function outcomeAttributes(policy: string, name: string, outcomes: string[]): Attributes[] {
  return outcomes.map((outcome) => ({
    "resilience.policy": policy,
    "resilience.name": name,
    "resilience.outcome": outcome,
  }));
}
