/**
 * Passive suicidal ideation rules (data): a wish to be dead or not to exist without a stated act
 * (C-SSRS item 1: "wish I wasn't here", "better off without me", "don't want to wake up"). Rules
 * that embed a negation ("don't want to live") are not negatable.
 */

import { EOC } from "./patterns-ideation";
import { rule } from "./rule-spec";

const P = "suicidal_ideation_passive" as const;

export const PASSIVE_RULES = [
  rule(
    "passive.wish_dead",
    P,
    "elevated",
    `wish(?:ed|es|ing)? (?:that )?(?:i|id|he|hed|she|shed|they|theyd)(?: (?:was|were|had|would|could|might|just|really|d)){0,3} (?:be )?(?:dead|gone|die|never (?:been )?born|not (?:be )?(?:here|alive|born|around)|(?:fall asleep|sleep|go to sleep) and (?:never|not) wake up|sleep forever|stop existing|cease to exist|not exist|not wake up|(?:disappear|vanish)${EOC})`,
  ),
  rule(
    "passive.wish_not_here",
    P,
    "elevated",
    "wish(?:ed|es|ing)? (?:that )?(?:i|he|she|they) (?:wasnt|werent|was not|were not|didnt|hadnt|had not) (?:been |even )?(?:here|alive|born|around|exist|existed|wake up|woken up)|wish(?:ed|es|ing)? (?:that )?(?:i|he|she|they) (?:had )?never (?:woke|woken|wake|waked) up",
  ),
  rule(
    "passive.wish_killed",
    P,
    "elevated",
    "(?:wish|hope|want|pray|praying|hoping|wishing|need) (?:someone|somebody|something|god|a car|a bus|a truck|the universe) (?:would|to|will|could) (?:just )?(?:kill|shoot|run over|hit|take) me",
  ),
  rule(
    "passive.better_off_without_me",
    P,
    "elevated",
    "(?:everyone|everybody|everyones (?:life|lives)|the world|world|my family|family|people|my kids|my children|my friends|my parents|they|you all|yall|all of them|it|things|life|lives|my (?:husband|wife|partner|mom|dad|boyfriend|girlfriend)) (?:\\S+ ){0,3}(?:better|easier|happier|lighter|fine|okay|ok|alright|cope|cope fine|manage|move on|be fine|relieved|glad|grateful|happy) (?:off )?(?:without me|if i (?:was|were|wasnt|werent|died|disappeared|left|didnt exist|just died)|with me gone|with me dead|once i(?:m| am)? gone)",
  ),
  rule(
    "passive.easier_if_gone",
    P,
    "elevated",
    "(?:easier|better|best|simpler|a relief|peaceful|nice) (?:for (?:everyone|everybody|them|my family|my \\S+) )?if i (?:just )?(?:didnt wake up|never woke up|did not wake up|wasnt here|wasnt around|was gone|were gone|was dead|were dead|died|disappeared|didnt exist|did not exist|wasnt alive|never existed|never wake up)",
  ),
  rule(
    "passive.better_off_dead",
    P,
    "elevated",
    "better off dead|(?:rather|prefer to) be dead(?! than(?! (?:live|living|go on|keep|continue|feel|be alive)(?![a-z0-9])))",
  ),
  rule("passive.want_to_be_dead", P, "elevated", "(?:want|wants|wanted|wish|wishes|wanna) to be dead"),
  rule(
    "passive.rather_die",
    P,
    "elevated",
    "(?:rather|prefer to) die(?! than(?! (?:live|living|go on|keep|continue|feel|be alive|spend)(?![a-z0-9])))",
  ),
  rule(
    "passive.dont_want_to_live",
    P,
    "elevated",
    "(?:dont|do not|doesnt|does not|didnt|no longer|not sure (?:if )?(?:i|he|she)|dont know if (?:i|he|she)|dont think (?:i|he|she)|never) (?:really |even |actually )?(?:want to|wanna|wish to|feel like i want to|feel like|wants to) (?:live|be alive|exist|be here anymore|be here any more|be here much longer|go on|keep going|keep living|continue living|continue|be around anymore|stay alive|live anymore|wake up)(?! (?:in|with|at|near|on|there|abroad|alone|together|here|next|for|somewhere|by|early|so|before|to|the|a|my|this)(?![a-z0-9]))",
    { negatable: false },
  ),
  rule(
    "passive.cant_go_on",
    P,
    "elevated",
    "(?:cant|can not|cannot) (?:go on|keep going|keep living|live like this|do life|keep doing life|go on living)(?: (?:anymore|any more|any longer|much longer|like this))?(?= [.,]|$| (?:i|and|but|im))",
    { negatable: false },
  ),
  rule(
    "passive.no_point_living",
    P,
    "elevated",
    "(?:whats|what is|whats even|what even is|no|dont see|dont see any|cant see|cant see any|there is no|theres no|is there any|see no|lost|lost my|no more) (?:even )?(?:the )?(?:point|reason|purpose|will) (?:(?:in|of|to|for) )?(?:me )?(?:even )?(?:living|being alive|going on|life|existing|staying alive|waking up|keep living|keep going|live|be alive|exist|stay alive|continuing|carrying on|my life|my existence|me being here|being here)",
    { negatable: false },
  ),
  rule(
    "passive.no_way_forward",
    P,
    "elevated",
    "(?:dont|cant|do not|cannot|can not|no longer) see (?:a|any) (?:way forward|way out|future for (?:me|myself)|reason to (?:live|go on|keep going|stay))",
    { negatable: false },
  ),
  rule(
    "passive.what_if_gone",
    P,
    "elevated",
    "(?:what if|if only) i (?:just )?(?:didnt|did not|wouldnt|could not|couldnt) (?:exist|wake up|be here|be alive)|(?:what if|if only) i (?:just )?(?:died|disappeared|wasnt here|wasnt alive|ended it|killed myself|never woke up)",
    { negatable: false },
  ),
  rule(
    "passive.not_worth_living",
    P,
    "elevated",
    "(?:isnt|is not|not|aint|no longer|never) worth (?:living|it anymore|being alive|staying alive)|(?:nothing|no one|nobody|no reason) (?:left )?to live for",
    { negatable: false },
  ),
  rule(
    "passive.tired_of_living",
    P,
    "elevated",
    "(?:tired|sick|exhausted|done|finished|over) (?:of|with) (?:living|being alive|existing|life|being here|breathing|waking up|this life)(?! (?:in|with|at|like that)(?![a-z0-9]))",
  ),
  rule(
    "passive.hope_not_wake",
    P,
    "elevated",
    "(?:hope|hoping|pray|praying|wish|wishing) (?:that )?(?:i|he|she) (?:dont|do not|wont|will not|never|doesnt|might not|just|get to) (?:ever )?(?:wake up|die|get hit|drop dead)|(?:hope|hoping|pray|praying) (?:that )?(?:i|he|she) (?:die|dies|get killed)|(?:sleep|go to sleep|go to bed|fall asleep|close my eyes|lie down) (?:and|&) (?:never|not|dont|don t) (?:wake up|open them)|never wake up again|(?:want|wants|wanted|wish|wishing|wanna|like) to (?:just )?(?:fall asleep|go to sleep|sleep|close my eyes) (?:forever|and never wake up)",
    { negatable: false },
  ),
  rule(
    "passive.nobody_would_care",
    P,
    "elevated",
    "if i (?:died|die|was gone|were gone|disappeared|killed myself|wasnt here|werent here|left forever)(?: \\S+){0,4} (?:nobody|no one|noone) (?:would|will|d|is going to) (?:even )?(?:care|notice|miss me|know|cry)|(?:nobody|no one|noone) (?:would|will|d) (?:even )?(?:care|notice|miss me)(?: at all)? if i (?:died|die|was gone|were gone|disappeared|killed myself|wasnt here|werent here|wasnt around)|(?:nobody|no one|noone) (?:would|will) (?:even )?miss me|if i (?:died|die|disappeared|was gone|were gone|killed myself)(?: \\S+){0,2} (?:would|will) (?:anyone|anybody|people|they|you) (?:even )?(?:care|notice|miss me)|who (?:would|will) (?:even )?(?:care|notice|miss me) if i (?:died|disappeared|was gone|were gone|killed myself)|(?:nobody|no one|noone) (?:would|will) (?:even )?(?:miss|notice|care about) (?:him|her|them) if (?:he|she|they) (?:was|were|died|disappeared) (?:gone|dead)?",
    { negatable: false },
  ),
  rule(
    "passive.wouldnt_mind_dying",
    P,
    "elevated",
    "(?:wouldnt|would not|wont|dont|do not) (?:even |really )?(?:mind|care|be sad|be upset) if (?:i|a \\S+|something|someone|somebody)(?: \\S+){0,2} (?:died|die|dead|didnt wake up|never woke up|hit me|killed me|ran me over|run me over|got hit|got killed|crashed|was gone|disappeared)|(?:dont|do not|didnt) (?:even |really )?care (?:if|whether) i (?:live or die|die|wake up|make it|survive|dont wake up)",
    { negatable: false },
  ),
  rule(
    "passive.think_about_death",
    P,
    "elevated",
    "(?:think|thinking|thought|thoughts|obsess|obsessing|fantasize|fantasizing|dream|dreaming|daydream|daydreaming) (?:a lot |constantly |all the time |so much |only )?(?:about|of) (?:death|dying|being dead|not being here|not existing|not waking up|my own death|my funeral|my death|disappearing forever)",
  ),
  rule(
    "passive.death_appeals",
    P,
    "elevated",
    "(?:death|dying|being dead|not existing|not being here|not waking up|eternal sleep|the void) (?:sounds|seems|feels|looks|would be|is|would feel) (?:so |really |kind of |kinda |pretty |more and more |like )?(?:peaceful|nice|good|great|appealing|tempting|better|a relief|relief|freedom|the answer|comforting|inviting|easier|like a relief|like freedom|welcome)|(?:feel|feeling|felt) like (?:just )?dying(?! (?:of|from|laughing|inside)(?![a-z0-9]))",
  ),
  rule(
    "passive.self_label",
    P,
    "elevated",
    "(?:passively|passive) suicidal|not actively suicidal|passive (?:suicidal )?ideation(?! is(?![a-z0-9]))",
    {
      negatable: false,
    },
  ),
  rule(
    "passive.disappear",
    P,
    "elevated",
    `(?:want|wants|wanted|wanting|wanna) to (?:just )?(?:(?:disappear|vanish|fade away)${EOC}|not exist|stop existing|cease to exist|not be alive)`,
  ),
  rule(
    "passive.want_it_over",
    P,
    "elevated",
    `(?:want|wants|need|wish|wishing) (?:it all|everything|this all|all of this|it|my life|life|the pain|this pain) (?:to )?(?:all )?(?:to )?(?:end|stop|be over)${EOC}`,
  ),
];
