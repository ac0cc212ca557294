import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  isTimeoutError,
  ManualScheduler,
  type TimeoutError,
  timeout,
} from "../../src/resilience/index.ts";
import { countingController, deferred, rejectionOf } from "./support/deferred.ts";

/** Work that waits for its signal and rejects with the signal's reason. */
const honouring = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  // A body streamed in two chunks with a pause: reading it after the policy returned
  // must still work (cockatiel #72).
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("hello "));
            await Bun.sleep(5);
            controller.enqueue(new TextEncoder().encode("world"));
            controller.close();
          },
        }),
      ),
  });
});
afterAll(() => server.stop(true));

for (const mode of ["cooperative", "aggressive"] as const) {
  describe(`timeout (${mode})`, () => {
    test("the deadline aborts the work's signal with a TimeoutError and rejects with it", async () => {
      const s = new ManualScheduler();
      let seen: AbortSignal | undefined;
      const p = rejectionOf(
        timeout(100, { mode, scheduler: s }).execute((signal) => {
          seen = signal;
          return honouring(signal);
        }),
      );
      await s.advance(99);
      expect(seen?.aborted).toBe(false);
      await s.advance(1);
      const error = await p;
      expect(isTimeoutError(error)).toBe(true);
      expect((error as TimeoutError).timeoutMs).toBe(100);
      expect(isTimeoutError(seen?.reason)).toBe(true);
    });

    test("a caller abort is reported as that abort, never as a timeout", async () => {
      const s = new ManualScheduler();
      const { controller, live } = countingController();
      const p = rejectionOf(
        timeout(100, { mode, scheduler: s }).execute(honouring, controller.signal),
      );
      await s.advance(10);
      const reason = new Error("client closed");
      controller.abort(reason);
      const error = await p;
      expect(error).toBe(reason);
      expect(isTimeoutError(error)).toBe(false);
      expect(s.pending).toBe(0);
      expect(live()).toBe(0);
    });

    test("success clears the timer and the caller listener, and leaves the signal alive", async () => {
      const s = new ManualScheduler();
      const { controller, live } = countingController();
      let seen: AbortSignal | undefined;
      const value = await timeout(100, { mode, scheduler: s }).execute(async (signal) => {
        seen = signal;
        return 42;
      }, controller.signal);
      expect(value).toBe(42);
      expect(seen?.aborted).toBe(false);
      expect(s.pending).toBe(0);
      expect(live()).toBe(0);
    });

    test("a returned fetch body stays readable (real HTTP server)", async () => {
      const response = await timeout(5_000, { mode }).execute((signal) =>
        fetch(server.url, { signal }),
      );
      expect(await response.text()).toBe("hello world");
    });

    test("abortOnReturn aborts the signal after a successful return when asked", async () => {
      const s = new ManualScheduler();
      let seen: AbortSignal | undefined;
      await timeout(100, { mode, scheduler: s, abortOnReturn: true }).execute(async (signal) => {
        seen = signal;
      });
      expect(seen?.aborted).toBe(true);
    });
  });
}

describe("timeout modes differ on work that ignores its signal", () => {
  test("cooperative waits and keeps a late success (Polly v8)", async () => {
    const s = new ManualScheduler();
    const gate = deferred<string>();
    let settled = false;
    const p = timeout(100, { scheduler: s })
      .execute(() => gate.promise)
      .finally(() => {
        settled = true;
      });
    await s.advance(500);
    expect(settled).toBe(false);
    gate.resolve("late");
    expect(await p).toBe("late");
  });

  test("cooperative reports a failure after the deadline as the timeout", async () => {
    const s = new ManualScheduler();
    const gate = deferred<string>();
    const p = rejectionOf(timeout(100, { scheduler: s }).execute(() => gate.promise));
    await s.advance(100);
    gate.reject(new Error("socket reset"));
    expect(isTimeoutError(await p)).toBe(true);
  });

  test("aggressive settles at the deadline and drops the late outcome", async () => {
    const s = new ManualScheduler();
    const gate = deferred<string>();
    const p = rejectionOf(
      timeout(100, { mode: "aggressive", scheduler: s }).execute(() => gate.promise),
    );
    await s.advance(100);
    expect(isTimeoutError(await p)).toBe(true);
    gate.resolve("late");
    await s.flush();
  });

  test("rejects nonsense durations", () => {
    expect(() => timeout(0)).toThrow(RangeError);
    expect(() => timeout(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
