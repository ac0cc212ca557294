/**
 * The `--help` text. Kept next to the dispatcher so the two cannot drift.
 * @module
 */

/** Usage printed by `--help` and on usage errors. */
export const USAGE = `usage:
  trading-server [serve] [--environment ENV]   start the API (runs the security gate first)
  trading-server --check [options]             validate configuration offline, print a report
  trading-server check [options]               same
  trading-server hash-password                 read a password from stdin, print an argon2id hash
  trading-server gen-secret [--bytes N]        print a random secret (base64url, default 32 bytes)
  trading-server migrate                       apply database migrations and exit
  trading-server audit verify                  check the audit log's hash chain
  trading-server backup                        copy the SQLite database to a timestamped file
  trading-server --version | --help

check options:
  --environment development|staging|production   (default: $ENVIRONMENT, else production)
  --format text|json                             (default text)
  --fail-level critical|error|warning|info       (default error)
  --silence ID[,ID...]                           hide findings by id (criticals stay in production)

exit codes: 0 ok, 1 violations or start refused, 2 usage error
`;
