/**
 * The mixed-script rule for new usernames (UTS #39 "highly restrictive"): the
 * letters of a name come from one script, or from one of the combinations
 * CJK writing uses with Latin. `аdmin` with a Cyrillic `а` mixes Cyrillic and
 * Latin and is refused; `admin`, `иван` and `田中taro` are not.
 *
 * Not covered (UTS #39 skeletons would need the confusables table): a name
 * made entirely of one script's lookalikes (all-Cyrillic `асе` next to Latin
 * `ace`) and same-script lookalikes such as Latin dotless `ı`.
 * @module
 */

/** Scripts told apart; a letter in none of them is its own "other" script. */
const SCRIPTS: ReadonlyArray<[name: string, letter: RegExp]> = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Devanagari", /\p{Script=Devanagari}/u],
  ["Thai", /\p{Script=Thai}/u],
  ["Han", /\p{Script=Han}/u],
  ["Hiragana", /\p{Script=Hiragana}/u],
  ["Katakana", /\p{Script=Katakana}/u],
  ["Hangul", /\p{Script=Hangul}/u],
  ["Bopomofo", /\p{Script=Bopomofo}/u],
];

/** Script sets a single name may combine (UTS #39 §5.2, highly restrictive). */
const ALLOWED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

const LETTER = /\p{L}/u;

function scriptOf(letter: string): string {
  for (const [name, pattern] of SCRIPTS) if (pattern.test(letter)) return name;
  return "other";
}

/** True when the letters of `name` mix scripts in a way a lookalike name would. */
export function mixesScripts(name: string): boolean {
  const scripts = new Set<string>();
  for (const char of name) if (LETTER.test(char)) scripts.add(scriptOf(char));
  if (scripts.size <= 1) return false;
  if (scripts.has("other")) return true;
  return !ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)));
}
