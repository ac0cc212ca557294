/** `.env.example` documents every variable of the schema (DESIGN §5) and is itself a valid development config. */
import { expect, test } from "bun:test";
import { envSchema } from "../../src/config/index.ts";
import { validate } from "../../src/security/index.ts";

const text = await Bun.file(new URL("../../.env.example", import.meta.url)).text();

test("every schema variable appears in .env.example", () => {
  const documented = new Set([...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  const missing = Object.keys(envSchema.shape).filter((name) => !documented.has(name));
  expect(missing).toEqual([]);
});

test("the example as written passes the development gate", async () => {
  const env: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)) {
    env[name as string] = value as string;
  }
  const blocking = (await validate(env, "development")).filter(
    (f) => f.severity === "error" || f.severity === "critical",
  );
  expect(blocking).toEqual([]);
});
