/**
 * What a new account's name may be. Login accepts any string (DESIGN §6: it
 * never reveals whether a name is well-formed); creating an account is
 * stricter, so that no two names an operator reads as the same, or a name
 * that rewrites a log line or an admin screen, can exist side by side.
 * @module
 */
import { mixesScripts } from "./usernameScripts.ts";

/**
 * Characters that render as nothing or as something else: control, format (zero-width, bidi
 * overrides), line/paragraph separators, private use, unassigned, lone surrogates, every
 * default-ignorable code point (variation selectors, CGJ, Hangul fillers…) and the braille blank.
 */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;
const EDGE_SPACE = /^\s|\s$/u;
/** A combining mark with nothing to combine with. */
const LEADING_MARK = /^\p{M}/u;

/** Why `username` cannot name a new account, or undefined when it can. */
export function usernameProblem(username: string): string | undefined {
  const nfc = username.normalize("NFC");
  if (INVISIBLE.test(nfc)) return "must not contain control, format or invisible characters";
  if (EDGE_SPACE.test(nfc)) return "must not start or end with whitespace";
  if (LEADING_MARK.test(nfc)) return "must not start with a combining mark";
  // Fullwidth letters, ligatures, superscripts: they read as other, plainer names.
  if (nfc.normalize("NFKC") !== nfc)
    return "must not use compatibility characters (e.g. fullwidth)";
  if (mixesScripts(nfc))
    return "must not mix letters of different scripts (e.g. Latin and Cyrillic)";
  // Names are stored lower-cased after NFC (users.ts), and lower-casing can undo NFC:
  // "zT\u0308" folds to "zt\u0308", which NFC writes "z\u1E97". The two would be two accounts
  // that look and read the same, each reached by some spellings of the name.
  const folded = nfc.toLowerCase();
  if (folded.normalize("NFC") !== folded) return "must not change form when lower-cased";
  // Letters whose cases do not map one to one: "ΛΟΓΟΣ" folds to "λογος" (final ς) while
  // "λογοσ" stays, so both were created, and the second could not sign in typed in capitals;
  // "ß" and "ss", "ı" and "i" likewise. A name must read the same after upper-casing.
  // From the folded form: "ẞ" upper-cases to itself, so "WEIẞ" passed while "weiß" did not.
  if (folded.toUpperCase().toLowerCase().normalize("NFC") !== folded) {
    return "must read the same upper-cased and lower-cased again (ς/σ, ß/ss, ı/i)";
  }
  return undefined;
}
