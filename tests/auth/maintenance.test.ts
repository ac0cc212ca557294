/** The maintenance switch when its database read fails: still on if it was on, else the error goes on. */
import { expect, test } from "bun:test";
import { createMaintenance } from "../../src/auth/index.ts";
import { ManualClock } from "../../src/clock/index.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { migrate } from "../../src/storage/migrate.ts";

async function switchWithDatabase() {
  const db = await openDatabase("sqlite://:memory:");
  await migrate(db);
  const clock = new ManualClock();
  return { db, clock, maintenance: createMaintenance({ db, clock }) };
}

test("on, then the database goes away: still on (503 maintenance), not a 500", async () => {
  const { db, clock, maintenance } = await switchWithDatabase();
  await maintenance.set({ enabled: true, reason: "failover" });
  await db.close();
  clock.advance(5_000); // past the cache
  expect(await maintenance.get()).toEqual({ enabled: true, reason: "failover" });
});

test("off, then the database goes away: the read error goes on, never an open answer", async () => {
  const { db, clock, maintenance } = await switchWithDatabase();
  expect((await maintenance.get()).enabled).toBe(false);
  await db.close();
  clock.advance(5_000);
  expect(await maintenance.get().catch((e: unknown) => (e as Error).name)).toBe("StorageError");
});
