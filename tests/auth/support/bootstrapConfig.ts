/** Shared by the bootstrap-admin tests: a production configuration without a hash, and the outcome alone. */
import { bootstrapAdmin } from "../../../src/auth/index.ts";

/** The outcome alone, for the tests that only look at it. */
export const outcomeOf = (...args: Parameters<typeof bootstrapAdmin>) =>
  bootstrapAdmin(...args).then((report) => report.outcome);

/** Production, admin `root`, no plain password; each test adds `ADMIN_PASSWORD_HASH`. */
export const base = {
  environment: "production" as const,
  ADMIN_USERNAME: "root",
  ADMIN_PASSWORD: undefined,
};
