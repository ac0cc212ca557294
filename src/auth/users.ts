/**
 * The users table: lookups by normalized username, creation, role and
 * disabled changes, password changes. Every change that must end existing
 * tokens bumps `token_version` in the same statement.
 * @module
 */
import { type Executor, isUnstorableText } from "../storage/index.ts";
import { ROLES, type Role } from "./roles.ts";

/** A user as stored. */
export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  disabled: boolean;
  tokenVersion: number;
}

/** The public view of a user (API bodies). */
export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
}

/** Thrown when creating a user whose normalized name is taken. */
export class UsernameTakenError extends Error {
  readonly isUsernameTakenError = true;
  constructor() {
    super("the username is taken");
    this.name = "UsernameTakenError";
  }
}

/** True when `e` is a {@link UsernameTakenError}. */
export const isUsernameTakenError = (e: unknown): e is UsernameTakenError =>
  e instanceof Error && (e as Partial<UsernameTakenError>).isUsernameTakenError === true;

/** Usernames are case-insensitive: NFC, then lowercase (DESIGN §6). */
export const normalizeUsername = (username: string): string =>
  username.normalize("NFC").toLowerCase();

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  disabled: number | boolean;
  token_version: number;
}

const toRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  role: (ROLES as readonly string[]).includes(row.role) ? (row.role as Role) : "viewer",
  disabled: Number(row.disabled) !== 0,
  tokenVersion: Number(row.token_version),
});

/** The public view of a record. */
export const publicUser = (u: UserRecord): PublicUser => ({
  id: u.id,
  username: u.username,
  role: u.role,
  disabled: u.disabled,
});

/** Data access for users. */
export function createUserStore(db: Executor) {
  const one = (rows: UserRow[]) => (rows[0] ? toRecord(rows[0]) : undefined);
  return {
    /**
     * By normalized username. A name with U+0000 or a lone surrogate names nobody (the policy
     * refuses both, and neither can be stored): no query, so login answers it as any unknown name.
     */
    async findByUsername(username: string): Promise<UserRecord | undefined> {
      const normalized = normalizeUsername(username);
      if (isUnstorableText(normalized)) return undefined;
      return one(await db.sql<UserRow>`SELECT * FROM users WHERE username = ${normalized}`);
    },
    async findById(id: string): Promise<UserRecord | undefined> {
      return one(await db.sql<UserRow>`SELECT * FROM users WHERE id = ${id}`);
    },
    /**
     * The distinct first `length` characters of stored hashes that do not
     * start with `policyPrefix` (legacy imports, an older policy): enough to
     * tell their parameters, never a whole hash. Usually none.
     */
    async offPolicyHashPrefixes(policyPrefix: string, length: number): Promise<string[]> {
      const rows = await db.sql<{ prefix: string }>`
        SELECT DISTINCT substr(password_hash, 1, ${length}) AS prefix FROM users
        WHERE substr(password_hash, 1, ${policyPrefix.length}) <> ${policyPrefix}`;
      return rows.map((r) => r.prefix);
    },
    async list(): Promise<UserRecord[]> {
      return (await db.sql<UserRow>`SELECT * FROM users ORDER BY created_at, id`).map(toRecord);
    },
    /** Creates a user; throws {@link UsernameTakenError} when the normalized name exists. */
    async create(
      input: { username: string; passwordHash: string; role: Role },
      now: number,
    ): Promise<UserRecord> {
      const id = crypto.randomUUID();
      const username = normalizeUsername(input.username);
      // ON CONFLICT DO NOTHING works on both dialects and keeps a race between two creates clean.
      const rows = await db.sql<UserRow>`
        INSERT INTO users (id, username, password_hash, role, disabled, token_version, created_at, updated_at)
        VALUES (${id}, ${username}, ${input.passwordHash}, ${input.role}, 0, 0, ${now}, ${now})
        ON CONFLICT (username) DO NOTHING RETURNING *`;
      const created = one(rows);
      if (!created) throw new UsernameTakenError();
      return created;
    },
    /** Changes role and/or disabled; disabling (or re-enabling) bumps the token version. */
    async update(
      id: string,
      change: { role?: Role; disabled?: boolean },
      now: number,
    ): Promise<UserRecord | undefined> {
      const current = await this.findById(id);
      if (!current) return undefined;
      const role = change.role ?? current.role;
      const disabled = change.disabled ?? current.disabled;
      const bump = disabled !== current.disabled ? 1 : 0;
      return one(
        await db.sql<UserRow>`UPDATE users SET role = ${role}, disabled = ${disabled ? 1 : 0},
          token_version = token_version + ${bump}, updated_at = ${now} WHERE id = ${id} RETURNING *`,
      );
    },
    /**
     * Replaces the hash. `endTokens` bumps the token version (a password change; not a rehash).
     * With `expectedVersion`, only while the version is still that one (compare-and-set):
     * false when another change got there first.
     */
    async setPasswordHash(
      id: string,
      passwordHash: string,
      endTokens: boolean,
      now: number,
      expectedVersion?: number,
    ): Promise<boolean> {
      const bump = endTokens ? 1 : 0;
      const rows =
        expectedVersion === undefined
          ? await db.sql`UPDATE users SET password_hash = ${passwordHash},
              token_version = token_version + ${bump}, updated_at = ${now} WHERE id = ${id} RETURNING id`
          : await db.sql`UPDATE users SET password_hash = ${passwordHash},
              token_version = token_version + ${bump}, updated_at = ${now}
              WHERE id = ${id} AND token_version = ${expectedVersion} RETURNING id`;
      return rows.length > 0;
    },
    /**
     * The user's token version and whether it is disabled, locked until the
     * current transaction ends; SQLite's `BEGIN IMMEDIATE` holds the writer
     * lock already. On PostgreSQL the row lock is exclusive (`FOR NO KEY
     * UPDATE`): a password change or disable waits for the login, and so does
     * another login of the same user, which then counts this one's session
     * against the live-session cap (shared locks let two logins each see the
     * other's session missing and leave one over). Logins of different users
     * do not wait here; inserting a session only takes `FOR KEY SHARE`.
     * Undefined when gone.
     */
    async lockedState(
      id: string,
    ): Promise<{ tokenVersion: number; disabled: boolean } | undefined> {
      const lock = db.dialect === "postgres" ? " FOR NO KEY UPDATE" : "";
      const rows = await db.unsafe<{ token_version: unknown; disabled: unknown }>(
        `SELECT token_version, disabled FROM users WHERE id = $1${lock}`,
        [id],
      );
      const row = rows[0];
      return row
        ? { tokenVersion: Number(row.token_version), disabled: Number(row.disabled) !== 0 }
        : undefined;
    },
    /** Number of enabled admins (to refuse locking the last one out). */
    async countActiveAdmins(): Promise<number> {
      const rows = await db.sql<{
        n: number;
      }>`SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0`;
      return Number(rows[0]?.n ?? 0);
    },
  };
}

/** The user store's interface. */
export type UserStore = ReturnType<typeof createUserStore>;
