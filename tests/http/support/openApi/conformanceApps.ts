/**
 * The three instances the conformance test drives, started in order: `main`
 * (simulated providers, one address spent on the anonymous limit of 1/1h),
 * `live` (Alpha Vantage adapters against a local fake) and `down` (its
 * database closed after a token was issued). Nothing starts at import time:
 * the test file calls `startConformanceApps` once and passes the result on.
 */
import { breakerRegistry } from "../../../../src/resilience/index.ts";
import { ADMIN_PASSWORD, type TokenPairBody } from "../../../auth/support/authApp.ts";
import { type FakeProvider, startFake } from "../../../providers/fakes/fakeServer.ts";
import { alphaVantageRoutes } from "../../../providers/fakes/payloads.ts";
import type { UserJson } from "../adminRequests.ts";
import type { OpenApiDocument } from "./openApiDocument.ts";
import { SPENT_IP, type Wired, wiredServer } from "./wiredServer.ts";

/** Signs `username` in on `w`; throws unless that answers 200. */
export async function login(w: Wired, username: string, password: string): Promise<TokenPairBody> {
  const res = await w.send("/v1/auth/login", {
    method: "POST",
    json: { username, password },
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenPairBody;
}

/** Creates `username` (password `<username>-password`) on `w` as the admin; throws unless 201. */
export async function createUser(w: Wired, adminToken: string, username: string, role = "viewer") {
  const password = `${username}-password`;
  const res = await w.send("/v1/admin/users", {
    method: "POST",
    token: adminToken,
    json: { username, password, role },
  });
  if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${await res.text()}`);
  return { user: (await res.json()) as UserJson, password };
}

/** Access tokens on `main`, and the admin's user id. */
export interface MainTokens {
  admin: string;
  viewer: string;
  adminId: string;
}

/** The started instances and what the cases need to address them. */
export interface ConformanceApps {
  /** The simulator; every anonymous request from its own address unless told otherwise. */
  main: Wired;
  tokens: MainTokens;
  /** The user `viewer-1` on `main`, and its password. */
  viewer: { user: UserJson; password: string };
  /** GET on `main`, as the admin unless `token` is given. */
  get(path: string, token?: string): Promise<Response>;
  /** A JSON body to `main`, as the admin unless `token` is given. */
  json(method: string, path: string, body: unknown, token?: string): Promise<Response>;
  /** The fake Alpha Vantage behind `live`: set its `fault` to make it fail. */
  alphaVantage: FakeProvider;
  /** Alpha Vantage for every data kind. */
  live: Wired;
  /** GET on `live` as its admin, its clock moved on an hour first. */
  liveGet(path: string): Promise<Response>;
  /** Its database closed: every /v1 route answers 503. */
  down: Wired;
  /** The admin's access token on `down`, issued before its database went away. */
  downToken: string;
  /** Stops every instance and the fake. */
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/** Starts `main`, `live` and `down`, in that order, each signed in as the test needs. */
export async function startConformanceApps(): Promise<ConformanceApps> {
  // `main`: the simulator; every anonymous request from its own address.
  const main = await wiredServer();
  const admin = (await login(main, "admin", ADMIN_PASSWORD)).access_token;
  const me = await main.send("/v1/auth/me", { token: admin });
  const adminId = ((await me.json()) as { id: string }).id;
  const viewer = await createUser(main, admin, "viewer-1");
  const tokens: MainTokens = {
    admin,
    viewer: (await login(main, "viewer-1", viewer.password)).access_token,
    adminId,
  };
  await main.send("/healthz", { ip: SPENT_IP }); // not limited: spends nothing
  await main.send("/v1/news", { ip: SPENT_IP }); // spends the address's only request (401)

  // `live`: Alpha Vantage for every data kind, against a local fake. Its free plan allows a
  // burst of 5 calls, then one every 57.6 min: each call moves the clock on by an hour, so
  // tokens and sessions must outlive the run's 12 simulated hours.
  const alphaVantage = startFake(alphaVantageRoutes);
  // A fresh breaker on this instance's clock, not one another suite left in the process registry.
  breakerRegistry.delete("alphavantage");
  const live = await wiredServer({
    MARKET_DATA_PROVIDER: "alphavantage",
    NEWS_PROVIDER: "alphavantage",
    ALTDATA_PROVIDER: "alphavantage",
    ALPHA_VANTAGE_API_KEY: "conformance-key",
    ALPHA_VANTAGE_BASE_URL: alphaVantage.url,
    ACCESS_TOKEN_TTL: "24h",
    SESSION_IDLE_TTL: "48h",
    SESSION_ABSOLUTE_TTL: "48h",
  });
  const liveToken = (await login(live, "admin", ADMIN_PASSWORD)).access_token;

  // `down`: a token first, then the database goes away.
  const down = await wiredServer();
  const downToken = (await login(down, "admin", ADMIN_PASSWORD)).access_token;
  await down.db.close();

  return {
    main,
    tokens,
    viewer,
    get: (path, token = tokens.admin) => main.send(path, { token }),
    json: (method, path, body, token = tokens.admin) =>
      main.send(path, { method, token, json: body }),
    alphaVantage,
    live,
    liveGet: (path) => {
      live.clock.advance(HOUR);
      return live.send(path, { token: liveToken });
    },
    down,
    downToken,
    close: async () => {
      await main.close();
      await live.close();
      await down.close();
      await alphaVantage.stop();
      breakerRegistry.delete("alphavantage");
    },
  };
}

/** The document `main` serves; `live` and `down` build theirs now too. */
export async function readDocument(apps: ConformanceApps): Promise<OpenApiDocument> {
  const doc = (await (await apps.main.send("/openapi.json")).json()) as OpenApiDocument;
  // Built now rather than by the timer the server sets (1 s after start), which would spend
  // 60–140 ms of CPU in whatever suite runs next.
  await apps.live.send("/openapi.json");
  await apps.down.send("/openapi.json");
  return doc;
}
