/**
 * Overdose rules (data): medication or substances already taken in dangerous amounts (imminent:
 * medical emergency) and stated intent to overdose (high). Routine medication-taking ("took all my
 * meds this morning") and drinks ("a whole bottle of wine") are excluded.
 */

import { rule } from "./rule-spec";

const OD = "overdose" as const;

/** Routine medication-taking: "took all my meds this morning". */
const ROUTINE =
  "(?! (?:this morning|for (?:today|the day)|on time|as prescribed|like (?:usual|normal|i should|always)|today like|with breakfast|with dinner)(?![a-z0-9]))";

/** Beverages: "took a whole bottle of wine to the party" is not an overdose. */
const NOT_DRINK =
  "(?! of (?:wine|water|vodka|whiskey|beer|coke|soda|juice|milk|champagne|gin|rum|tequila|shampoo|sauce|ketchup)(?![a-z0-9]))";

export const OVERDOSE_RULES = [
  rule(
    "overdose.took_container",
    OD,
    "imminent",
    `(?:took|taken|swallowed|swallow|downed|ate|popped|chugged|drank|emptied) (?:like |about |around |maybe |over |almost |at least |nearly |just |all of |half )?(?:(?:a|an|the|my|her|his|their) )?(?:whole |entire |full |complete )(?:\\S+ )?(?:bottle|pack|packet|box|strip|blister pack|sheet|container|jar|tub|prescription|supply|script)${NOT_DRINK}|(?:took|swallowed|downed|ate|chugged|emptied) (?:a|the) (?:bottle|pack|packet|box|strip) of(?: \\S+){0,3} {DRUG}`,
  ),
  rule(
    "overdose.took_all",
    OD,
    "imminent",
    `(?:took|taken|swallowed|downed|popped|ate) (?:all|every|everything|every single one|each) (?:of )?(?:my |the |his |her |their |our |these |those |of the )?(?:\\S+ )?{DRUG}${ROUTINE}`,
  ),
  rule(
    "overdose.intent_all",
    OD,
    "high",
    "(?:{INTENT}|could just|should just) {ADV}(?:take|taking|swallow|swallowing|down|downing) (?:all|every|every single|each|the rest) (?:of )?(?:my |the )?(?:\\S+ )?{DRUG}|(?:take|taking|swallow|swallowing) (?:all|every|every single|each) (?:of )?(?:my |the )?(?:\\S+ )?{DRUG} (?:at once|at the same time|together|in one go|all at once|and (?:die|end it|sleep|never wake)|so i (?:die|dont wake|never wake|can die)|i have|i can find|in the (?:house|cabinet))",
  ),
  rule(
    "overdose.took_number",
    OD,
    "imminent",
    "(?:took|taken|swallowed|downed|popped|ate|take|taking|swallow) (?:like |about |around |maybe |over |almost |at least |nearly |just |another |more than )?(?:[1-9]\\d+|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a hundred|dozens of|a dozen|fifteen|twelve|eleven|thirteen|fourteen|sixteen|seventeen|eighteen|nineteen)(?: \\S+){0,3} (?:of (?:my|her|his|the|those|these)|{DRUG})",
  ),
  rule(
    "overdose.too_many",
    OD,
    "imminent",
    "(?:took|taken|swallowed|popped|had|downed|ate) (?:\\S+ )?(?:too many|way too many|too much|way too much|a (?:bunch|handful|lot|load|ton|fistful) of|loads of|lots of|extra|double|triple|twice|more than i should)(?: of)?(?: my| the| her| his)?(?: \\S+)? {DRUG}|(?:took|taken|swallowed|had) (?:double|triple|twice|extra) (?:my|the|her|his) (?:dose|doses|meds|pills|medication)",
  ),
  rule(
    "overdose.overdosed",
    OD,
    "imminent",
    "(?:(?:took|taken|had|take) (?:an|a) (?:overdose|od)|overdosed|oded|odeed)(?! on (?:coffee|caffeine|sugar|netflix|chocolate|candy|love|tv|anime|memes|content|cuteness|carbs|vitamin|sun|cheese)(?![a-z0-9]))",
  ),
  rule(
    "overdose.intent",
    OD,
    "high",
    "(?:{INTENT}|plan is to|idea is to|going to just|decided to) {ADV}(?:overdose|overdosing|od|o d)(?! on (?:coffee|caffeine|sugar|netflix|chocolate|candy|tv|anime)(?![a-z0-9]))",
  ),
  rule(
    "overdose.alcohol_mix",
    OD,
    "high",
    "(?:{INTENT}|took|taken|downed|drank|swallowed)(?: \\S+){0,2} (?:a |the |my )?(?:whole|entire|full) bottle of (?:vodka|wine|whiskey|tequila|rum|gin|alcohol|booze)(?: \\S+){0,2} (?:with|and|plus) (?:my |the |some |all my |a bunch of )?{DRUG}",
  ),
  rule(
    "overdose.attempt",
    OD,
    "high",
    "(?:tried|attempted|try|trying) to (?:overdose|od)|(?:my|an|the) overdose attempt",
    { attempt: true },
  ),
  rule(
    "overdose.cabinet",
    OD,
    "imminent",
    "(?:took|swallowed|ate|drank|downed) (?:everything|all|whatever)(?: i could find)? (?:in|from) (?:the|my|our) (?:medicine cabinet|cabinet|first aid kit|medicine drawer|bathroom cabinet|medicine box)",
  ),
];
