/**
 * `bun run dev` as a newcomer meets it: no configuration at all, yet every
 * data route answers with deterministic data once you log in with the
 * generated development admin — and two servers with the same seed agree.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, type ServerProcess, startServer } from "./support/process.ts";

let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([
    startServer(baseEnv({ ENVIRONMENT: "development" })),
    startServer(baseEnv({ ENVIRONMENT: "development" })),
  ]);
});
afterAll(() => {
  for (const s of [a, b]) if (s && s.proc.exitCode === null) s.proc.kill("SIGKILL");
});

const login = (server: ServerProcess, password: string) =>
  fetch(`${server.url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password }),
  });

async function token(server: ServerProcess): Promise<string> {
  // The start-up line says where the login details are (the path, never the password).
  const line = server
    .logs()
    .split("\n")
    .find((l) => l.includes('"msg":"development admin account"'));
  const where = (JSON.parse(line as string) as { login_details_in: string }).login_details_in;
  expect(where).toBe(join("data", "dev-admin-password")); // relative to the working directory
  const password = readFileSync(join(server.cwd, where), "utf8").trim();
  const res = await login(server, password);
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const ROUTES = [
  "/v1/market/bars/AAPL?timeframe=1Day&start=2025-03-03T00:00:00Z&end=2025-03-31T00:00:00Z",
  "/v1/market/bars/MSFT?timeframe=5Min&start=2025-03-04T14:30:00Z&end=2025-03-04T16:00:00Z",
  "/v1/news?symbols=AAPL,MSFT&start=2025-03-01T00:00:00Z&end=2025-03-07T00:00:00Z",
];

test("no configuration: the generated admin logs in and every data route answers", async () => {
  const auth = { authorization: `Bearer ${await token(a)}` };
  for (const path of ["/v1/market/quotes/AAPL", "/v1/altdata/sentiment/AAPL", ...ROUTES]) {
    const res = await fetch(`${a.url}${path}`, { headers: auth });
    expect(res.status).toBe(200);
  }
  // The password never reaches the logs.
  const password = readFileSync(join(a.cwd, "data", "dev-admin-password"), "utf8").trim();
  expect(a.logs()).not.toContain(password);
});

test("two servers with the same (default) seed give identical historical data", async () => {
  const [ta, tb] = await Promise.all([token(a), token(b)]);
  for (const path of ROUTES) {
    const [ra, rb] = await Promise.all([
      fetch(`${a.url}${path}`, { headers: { authorization: `Bearer ${ta}` } }),
      fetch(`${b.url}${path}`, { headers: { authorization: `Bearer ${tb}` } }),
    ]);
    const [ja, jb] = (await Promise.all([ra.json(), rb.json()])) as Array<Record<string, unknown>>;
    // Provenance (as_of, age_ms) differs by wall clock; the data must not.
    const strip = (j: Record<string, unknown>) => ({ ...j, as_of: undefined, age_ms: undefined });
    expect(strip(ja as Record<string, unknown>)).toEqual(strip(jb as Record<string, unknown>));
  }
});

test("the password file stays the login after a start with another ADMIN_PASSWORD", async () => {
  const dev = baseEnv({ ENVIRONMENT: "development" });
  const cwd = a.cwd;
  await a.stop();
  const other = await startServer({ ...dev, ADMIN_PASSWORD: "Another-Dev-Password-42" }, [], cwd);
  try {
    expect((await login(other, "Another-Dev-Password-42")).status).toBe(200);
  } finally {
    await other.stop();
  }
  // The next plain start points at the file again, and the file's password is the login.
  a = await startServer(dev, [], cwd);
  await token(a);
  expect(a.logs()).not.toContain("not applied again");
});
