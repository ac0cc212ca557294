/**
 * US equity market calendar in America/New_York: regular session 09:30–16:00
 * on weekdays that are not NYSE full-day holidays. Computed by rule, not from
 * the host's tz database, so two servers always agree.
 *
 * Simplifications (docs/providers.md): no early closes (13:00 half days are
 * full sessions), no one-off closures (2001-09-11, 2012 Sandy, days of
 * mourning), and the 1987–2006 DST rule is used for every year before 2007.
 * @module
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Minutes in a regular session. */
export const SESSION_MINUTES = 390;

/** Days since 1970-01-01 of a civil date (month 1-12). */
export const civilDay = (year: number, month: number, day: number): number =>
  Date.UTC(year, month - 1, day) / DAY_MS;

/** 0 = Sunday … 6 = Saturday. */
export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

/** The n-th (1-based) given weekday of a month; n = -1 means the last. */
function nthWeekday(year: number, month: number, dow: number, n: number): number {
  if (n > 0) {
    const first = civilDay(year, month, 1);
    return first + ((dow - weekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = civilDay(year, month + 1, 1) - 1;
  return last - ((weekday(last) - dow + 7) % 7);
}

/** Easter Sunday (anonymous Gregorian algorithm). */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return civilDay(year, month, day);
}

/** Saturday holidays are observed on Friday, Sunday ones on Monday. */
function observed(day: number): number {
  const dow = weekday(day);
  return dow === 6 ? day - 1 : dow === 0 ? day + 1 : day;
}

const holidayMemo = new Map<number, Set<number>>();

/** NYSE full-day holidays of a year, as day numbers. */
export function holidays(year: number): Set<number> {
  const memo = holidayMemo.get(year);
  if (memo) return memo;
  const days = new Set<number>();
  const newYear = civilDay(year, 1, 1);
  // NYSE does not close on Friday Dec 31 for a Saturday New Year's Day.
  if (weekday(newYear) !== 6) days.add(observed(newYear));
  if (year >= 1998) days.add(nthWeekday(year, 1, 1, 3));
  days.add(nthWeekday(year, 2, 1, 3));
  days.add(easter(year) - 2);
  days.add(nthWeekday(year, 5, 1, -1));
  if (year >= 2022) days.add(observed(civilDay(year, 6, 19)));
  days.add(observed(civilDay(year, 7, 4)));
  days.add(nthWeekday(year, 9, 1, 1));
  days.add(nthWeekday(year, 11, 4, 4));
  days.add(observed(civilDay(year, 12, 25)));
  holidayMemo.set(year, days);
  return days;
}

const yearOf = (day: number): number => new Date(day * DAY_MS).getUTCFullYear();

/** Whether the New York date `day` has a regular session. */
export function isTradingDay(day: number): boolean {
  const dow = weekday(day);
  if (dow === 0 || dow === 6) return false;
  return !holidays(yearOf(day)).has(day);
}

/** UTC offset of New York at `utcMs`, in ms (-4h in summer, -5h in winter). */
export function newYorkOffset(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const [startDay, endDay] =
    year >= 2007
      ? [nthWeekday(year, 3, 0, 2), nthWeekday(year, 11, 0, 1)]
      : [nthWeekday(year, 4, 0, 1), nthWeekday(year, 10, 0, -1)];
  // Switches happen at 02:00 local: 07:00Z in spring (EST), 06:00Z in autumn (EDT).
  const start = startDay * DAY_MS + 7 * HOUR_MS;
  const end = endDay * DAY_MS + 6 * HOUR_MS;
  return utcMs >= start && utcMs < end ? -4 * HOUR_MS : -5 * HOUR_MS;
}

/** The New York calendar date (day number) at an instant. */
export const newYorkDay = (utcMs: number): number =>
  Math.floor((utcMs + newYorkOffset(utcMs)) / DAY_MS);

/** Local midnight of a New York date, as a UTC instant (Alpaca's daily-bar stamp). */
export function newYorkMidnight(day: number): number {
  return day * DAY_MS - newYorkOffset(day * DAY_MS + 12 * HOUR_MS);
}

/** UTC instant of 09:30 New York time on `day`. */
export const sessionOpen = (day: number): number => newYorkMidnight(day) + 9.5 * HOUR_MS;

/** UTC instant of 16:00 New York time on `day`. */
export const sessionClose = (day: number): number => newYorkMidnight(day) + 16 * HOUR_MS;

/** The latest trading day whose session has closed by `utcMs`, searching back at most 30 days. */
export function lastClosedSession(utcMs: number): number | undefined {
  for (let day = newYorkDay(utcMs), i = 0; i < 30; day--, i++) {
    if (isTradingDay(day) && sessionClose(day) <= utcMs) return day;
  }
  return undefined;
}
