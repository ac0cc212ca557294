/**
 * The `--help` text. Kept next to the dispatcher so the two cannot drift.
 * @module
 */

/** Usage printed by `--help` (also `COMMAND --help`) and on usage errors. */
export const USAGE = `usage:
  trading-server [serve] [--environment ENV]
      start the API (runs the security gate and the schema check first)
  trading-server check [options]   (or --check)
      validate the configuration offline, print a report
  trading-server hash-password
      read a password from stdin (no echo on a terminal), print an argon2id hash
  trading-server gen-secret [--bytes N]
      print a random secret (base64url, default 32 bytes, 24 to 1024)
  trading-server migrate [--environment ENV]
      apply pending database migrations and exit
  trading-server audit verify [--environment ENV]
      check the audit log's hash chain (exit 1 and the first bad row if it was altered)
  trading-server backup [--environment ENV] [--output-dir DIR]
      SQLite: a consistent, integrity-checked copy (PostgreSQL: use pg_dump)
  trading-server revoke-all [--environment ENV]
      end every session and refuse every access token issued so far (no server needed)
  trading-server --version | --help | COMMAND --help

check options:
  --environment development|staging|production   (default: $ENVIRONMENT, else production)
  --format text|json                             (default text)
  --fail-level critical|error|warning|info       (default error)
  --silence ID[,ID...]                           hide findings by id (criticals stay in production)

exit codes: 0 ok, 1 violations or start refused, 2 usage error
`;
