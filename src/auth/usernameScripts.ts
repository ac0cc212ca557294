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

/**
 * Scripts told apart. A letter of any other script counts as a script of its
 * own, so a name in one unlisted script must repeat a single letter to pass the
 * "one script" test: such names are refused rather than guessed at.
 */
const SCRIPTS: ReadonlyArray<[name: string, letter: RegExp]> = [
  "Latin",
  "Cyrillic",
  "Greek",
  "Armenian",
  "Georgian",
  "Hebrew",
  "Arabic",
  "Syriac",
  "Thaana",
  "Nko",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Oriya",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Khmer",
  "Mongolian",
  "Ethiopic",
  "Cherokee",
  "Canadian_Aboriginal",
  "Tifinagh",
  "Vai",
  "Yi",
  "Lisu",
  "Adlam",
  "Javanese",
  "Han",
  "Hiragana",
  "Katakana",
  "Hangul",
  "Bopomofo",
].map((name) => [name, new RegExp(`\\p{Script=${name}}`, "u")]);

/** Script sets a single name may combine (UTS #39 §5.2, highly restrictive). */
const ALLOWED_MIXES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

/**
 * Letters that belong to a script. Common and Inherited ones (the Japanese
 * length mark `ー`, the modifier apostrophe `ʼ`) are used with many scripts
 * and say nothing about which one a name is in.
 */
const SCRIPT_LETTER = /(?![\p{Script=Common}\p{Script=Inherited}])\p{L}/u;

/** The script of a letter; a letter of an unlisted script is keyed by itself (never "same"). */
function scriptOf(letter: string): string {
  for (const [name, pattern] of SCRIPTS) if (pattern.test(letter)) return name;
  return `other:${letter}`;
}

/** True when the letters of `name` mix scripts in a way a lookalike name would. */
export function mixesScripts(name: string): boolean {
  const scripts = new Set<string>();
  for (const char of name) if (SCRIPT_LETTER.test(char)) scripts.add(scriptOf(char));
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s)));
}
