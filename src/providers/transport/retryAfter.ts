/**
 * How long a refusing provider asks us to wait: `Retry-After` (seconds or an
 * HTTP date), else Alpaca's `X-Ratelimit-Reset` (Unix seconds when the
 * window resets). Undefined when neither says anything usable.
 *
 * Only the two forms RFC 9110 defines are read: digits, or an HTTP-date in
 * one of its three spellings, matched exactly (`-5`, `1.5` or `Tue 2 12` are
 * none of them, though `Date.parse` takes them as dates). A wait is capped at an hour: a value years long
 * must not reach our clients' `Retry-After` or park a retry.
 * @module
 */

/** Longest wait taken from a provider. */
export const MAX_PROVIDER_WAIT_MS = 3_600_000;

const cap = (ms: number): number => Math.min(MAX_PROVIDER_WAIT_MS, Math.max(0, ms));

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
/** IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`: day, month, year, time. */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** Obsolete RFC 850, `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** Obsolete asctime, `Sun Nov  6 08:49:37 1994`: month, day, time, year. */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** The fields of a matched HTTP-date, as text. */
interface DateFields {
  day: string;
  month: string;
  year: number;
  time: [string, string, string];
}

/** The fields of `text` in one of the three spellings, or undefined. */
function dateFields(text: string, now: number): DateFields | undefined {
  const imf = IMF_FIXDATE.exec(text);
  if (imf) {
    const [, day = "", month = "", year = "", h = "", m = "", sec = ""] = imf;
    return { day, month, year: Number(year), time: [h, m, sec] };
  }
  const rfc850 = RFC_850.exec(text);
  if (rfc850) {
    const [, day = "", month = "", yy = "", h = "", m = "", sec = ""] = rfc850;
    // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
    const thisYear = new Date(now).getUTCFullYear();
    const year = Math.floor(thisYear / 100) * 100 + Number(yy);
    return { day, month, year: year > thisYear + 50 ? year - 100 : year, time: [h, m, sec] };
  }
  const asctime = ASCTIME.exec(text);
  if (asctime) {
    const [, month = "", day = "", h = "", m = "", sec = "", year = ""] = asctime;
    return { day: day.trim(), month, year: Number(year), time: [h, m, sec] };
  }
  return undefined;
}

/**
 * An HTTP-date (RFC 9110 §5.6.7: the preferred form and the two obsolete ones
 * recipients must accept) as epoch ms; undefined for anything else. Written
 * out because `Date.parse` takes nearly any text, `Tue 2 12` included.
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  const fields = dateFields(text, now);
  if (!fields) return undefined;
  const day = Number(fields.day);
  const [h, m, sec] = fields.time.map(Number) as [number, number, number];
  if (day < 1 || h > 23 || m > 59 || sec > 60) return undefined;
  // A leap second is read as the second before it.
  const ms = Date.UTC(fields.year, MONTHS.indexOf(fields.month), day, h, m, Math.min(sec, 59));
  // 31 Feb and the like roll over into the next month: not a date.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/** Milliseconds to wait according to the response headers, at `now`. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return cap(Number(retryAfter) * 1000);
    const date = parseHttpDate(retryAfter, now);
    if (date !== undefined) return cap(date - now);
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset && /^\d{9,11}$/.test(reset)) return cap(Number(reset) * 1000 - now);
  return undefined;
}
