/**
 * Common crisis phrasings in Spanish, French, German, Portuguese, Italian and Dutch (data).
 *
 * Written against normalised text: diacritics stripped ("não" → "nao", "schlägt" → "schlagt"),
 * apostrophes removed ("j'ai" → "jai", "d'en" → "den"). The first-person subject is part of each
 * phrase, so subjects are "fixed". Local idioms are excluded where they share words ("me muero de
 * risa", "mort de rire", "muoio dal ridere", "ik ga dood van de honger" do not match).
 */

import { rule } from "./rule-spec";

const X = "suicidal_ideation_explicit" as const;
const P = "suicidal_ideation_passive" as const;
const SH = "self_harm" as const;
const A = "abuse" as const;
const OD = "overdose" as const;

const FIXED = { subject: "fixed" } as const;

export const INTL_RULES = [
  // Spanish
  rule(
    "intl.es.explicit",
    X,
    "high",
    "(?:quiero|quisiera|queria|me quiero|ganas de|deseo|necesito) (?:(?:solo|solamente|ya|realmente|de verdad) )?morir(?:me)?(?! de (?:risa|verguenza|hambre|calor|sueno|pena|amor|ganas|aburrimiento)(?![a-z0-9]))|(?:quiero|quisiera|queria|me quiero|voy a|me voy a|ganas de|pienso en|pensando en|deseo|necesito) (?:matarme|matar|suicidarme|suicidar|quitarme la vida|quitar la vida|acabar con (?:mi vida|todo))",
    FIXED,
  ),
  rule(
    "intl.es.passive",
    P,
    "elevated",
    "no quiero (?:seguir )?(?:vivir|viviendo|existir|despertar)|(?:quiero|quisiera) (?:desaparecer|dejar de existir)(?: para siempre)?(?= [.,]|$| para siempre)|(?:estarian|estaria|estarias|estaran) mejor sin mi|(?:ojala|quisiera) (?:estar muert[oa]|no haber nacido|no despertar|desaparecer para siempre)",
    FIXED,
  ),
  rule(
    "intl.es.self_harm",
    SH,
    "high",
    "me corto(?! (?:el pelo|las unas|el cabello|la)(?![a-z0-9]))|cortarme (?:los brazos|las venas|las munecas|las piernas)|me (?:estoy cortando|lastimo a proposito|hago dano)|hacerme dano|autolesion\\w*",
    FIXED,
  ),
  rule(
    "intl.es.abuse",
    A,
    "high",
    "(?:el|ella|mi \\S+) me (?:pega|golpea|pegaba|golpeaba|maltrata|viola|violo)|abusa(?:n|ba)? de mi",
    FIXED,
  ),
  rule(
    "intl.es.overdose",
    OD,
    "imminent",
    "me (?:tome|trague) (?:todas (?:las|mis) |un (?:bote|frasco|blister) (?:entero )?de |muchas |demasiadas )(?:pastillas|pildoras|medicamentos|medicinas)|(?:tome|me provoque) una sobredosis",
    FIXED,
  ),
  rule(
    "intl.method_jump",
    X,
    "high",
    "(?:tirarme|aventarme|lanzarme) (?:del|de un|de la|desde el|por la|bajo el|frente al|a las vias del) (?:puente|edificio|ventana|tren|balcon|techo|metro)|me (?:jeter|lancer) (?:du|dun|sous|par la|sous le|depuis le) (?:pont|train|fenetre|toit|immeuble|balcon|metro)|me jogar (?:da|de uma|do|de um|debaixo de um|na frente do) (?:ponte|janela|predio|trem|telhado|sacada)|(?:buttarmi|gettarmi) (?:dal|da un|dalla|sotto un|sotto il|sotto al) (?:ponte|treno|finestra|palazzo|tetto|balcone)|(?:von der|von einer|vom|vor den|vor einen) (?:brucke|zug|dach|hochhaus|balkon) (?:springen|werfen)|mich vor (?:den|einen) zug werfen|(?:voor de trein|van de brug|van een flat|van het dak) (?:springen|gooien)",
    FIXED,
  ),
  // French
  rule(
    "intl.fr.explicit",
    X,
    "high",
    "(?:veux|voudrais|souhaite|envie de|besoin de|prefere) (?:(?:juste|vraiment|seulement) )?mourir(?! de (?:rire|honte|faim|chaud|froid|ennui|fatigue)(?![a-z0-9]))|(?:veux|voudrais|vais|pense a|souhaite|compte|envie de|besoin de|prefere) (?:me suicider|me tuer|mettre fin a mes jours|me foutre en lair)(?! de (?:rire|honte|faim|chaud|froid|ennui)(?![a-z0-9]))|(?:veux|vais|voudrais|envie|besoin) (?:de )?(?:en|den) finir(?! avec(?! (?:la vie|tout|ma vie|moi)(?![a-z0-9])))|pense (?:au|a me) suicide\\w*|(?:idees|pensees) (?:suicidaires|de suicide)|je suis suicidaire",
    FIXED,
  ),
  rule(
    "intl.fr.passive",
    P,
    "elevated",
    "(?:veux|ai) plus (?:envie de )?vivre|nai plus envie de vivre|(?:serait|seraient|serais|seront) mieux sans moi|jaimerais (?:etre morte?|disparaitre|ne pas me reveiller|ne jamais me reveiller)|(?:veux|voudrais) disparaitre(?: pour toujours)?(?= [.,]|$| pour)",
    FIXED,
  ),
  rule(
    "intl.fr.self_harm",
    SH,
    "high",
    "je me (?:scarifie|mutile|coupe(?! (?:les cheveux|les ongles)(?![a-z0-9]))|fais du mal|brule)|(?:me|je) scarifier",
    FIXED,
  ),
  rule(
    "intl.fr.abuse",
    A,
    "high",
    "(?:il|elle|mon \\S+|ma \\S+) me (?:frappe|bat|viole|tape dessus|frappait|battait)",
    FIXED,
  ),
  rule(
    "intl.fr.overdose",
    OD,
    "imminent",
    "(?:jai|j ai) (?:pris|avale) (?:toute la boite|toutes mes|tous mes|tout le tube|une boite entiere|toute la plaquette)(?: de| d)?(?: \\S+)?(?: (?:medicaments|cachets|comprimes|pilules))?|(?:jai|j ai) fait une (?:overdose|surdose)",
    FIXED,
  ),
  // German
  rule(
    "intl.de.explicit",
    X,
    "high",
    "ich (?:will|mochte|wurde gern|mochte gern) (?:(?:einfach|nur|wirklich|so gern) )?(?:sterben|tot sein)|ich (?:will|mochte|werde|wurde gern|mochte gern) (?:mich umbringen|mir das leben nehmen)|(?:bringe|bring) mich um|mich umbringen|mir das leben nehmen|suizidgedanken|selbstmordgedanken|suizidal|lebensmude|(?:denke|denken)(?: \\S+)? (?:an|uber) (?:selbstmord|suizid)",
    FIXED,
  ),
  rule(
    "intl.de.passive",
    P,
    "elevated",
    "(?:will|mochte) nicht mehr leben|ich will nicht mehr(?= [.,]|$)|besser (?:dran |ab )?ohne mich|(?:will|mochte) (?:fur immer )?verschwinden(?= [.,]|$)|nicht mehr existieren|(?:will|mochte) nicht mehr aufwachen",
    FIXED,
  ),
  rule(
    "intl.de.self_harm",
    SH,
    "high",
    "ritze mich|ich verletze mich(?: selbst)?|selbstverletzung|ich schneide mich(?! beim(?![a-z0-9]))",
    FIXED,
  ),
  rule(
    "intl.de.abuse",
    A,
    "high",
    "(?:er|sie|mein \\S+|meine \\S+) (?:schlagt|schlug|verprugelt|missbraucht|vergewaltigt|bedroht) mich",
    FIXED,
  ),
  rule(
    "intl.de.overdose",
    OD,
    "imminent",
    "(?:alle|alle meine|die ganze packung|eine ganze packung)(?: meine)? (?:tabletten|pillen|medikamente|schlaftabletten)(?: \\S+){0,2} (?:genommen|geschluckt)|uberdosis genommen",
    FIXED,
  ),
  // Portuguese
  rule(
    "intl.pt.explicit",
    X,
    "high",
    "(?:quero|queria|vontade de) (?:(?:so|apenas|muito|mesmo) )?morrer|(?:quero|vou|queria|penso em|vontade de) (?:me matar|me suicidar|tirar (?:a )?minha (?:propria )?vida|acabar com (?:tudo|a minha vida))(?! de (?:rir|vergonha|fome|calor|sono|tedio)(?![a-z0-9]))",
    FIXED,
  ),
  rule(
    "intl.pt.passive",
    P,
    "elevated",
    "(?:nao|n) (?:quero|aguento) mais viver|nao quero (?:mais )?(?:viver|existir|acordar)|(?:estariam|estaria|ficariam|ficaria) melhor sem mim|(?:quero|queria) (?:desaparecer|sumir)(?: para sempre)?(?= [.,]|$| para)",
    FIXED,
  ),
  rule(
    "intl.pt.self_harm",
    SH,
    "high",
    "me corto(?! (?:o cabelo|as unhas)(?![a-z0-9]))|me cortar(?! o cabelo(?![a-z0-9]))|me machuco de proposito|automutila\\w*|me mutilo",
    FIXED,
  ),
  rule(
    "intl.pt.abuse",
    A,
    "high",
    "(?:ele|ela|meu \\S+|minha \\S+) me (?:bate|batia|espanca|estupra|violenta|abusa)",
    FIXED,
  ),
  rule(
    "intl.pt.overdose",
    OD,
    "imminent",
    "tomei (?:todos os|todas as|um frasco de|uma caixa de|a caixa (?:inteira )?de)(?: meus| minhas)? (?:remedios|comprimidos|pilulas|medicamentos)|tomei uma overdose",
    FIXED,
  ),
  // Italian
  rule(
    "intl.it.explicit",
    X,
    "high",
    "(?:voglio|vorrei|ho voglia di) (?:(?:solo|davvero|proprio|tanto|soltanto) )?morire(?! (?:dal|di) (?:ridere|caldo|freddo|noia|fame)(?![a-z0-9]))|(?:voglio|vorrei|sto per|penso di|ho voglia di) (?:uccidermi|suicidarmi|farla finita|togliermi la vita|ammazzarmi)(?!(?: dal (?:ridere|caldo|freddo)| di (?:noia|fame))(?![a-z0-9]))(?! con )|mi (?:voglio|vado a) (?:uccidere|ammazzare|suicidare)|mi uccido|mi ammazzo|penso al suicidio|pensieri suicidi",
    FIXED,
  ),
  rule(
    "intl.it.passive",
    P,
    "elevated",
    "non voglio (?:piu )?vivere|(?:starebbero|stareste|starebbe) (?:tutti )?meglio senza di me|vorrei (?:essere mort[oa]|non essere mai nat[oa]|non svegliarmi)|(?:voglio|vorrei) sparire(?: per sempre)?(?= [.,]|$| per)",
    FIXED,
  ),
  rule(
    "intl.it.self_harm",
    SH,
    "high",
    "mi taglio(?! (?:i capelli|le unghie)(?![a-z0-9]))|mi faccio del male|autolesionismo|mi ferisco apposta|mi brucio apposta",
    FIXED,
  ),
  rule(
    "intl.it.abuse",
    A,
    "high",
    "(?:lui|lei|mio \\S+|mia \\S+) mi (?:picchia|picchiava|violenta|abusa|maltratta|colpisce)",
    FIXED,
  ),
  rule(
    "intl.it.overdose",
    OD,
    "imminent",
    "ho preso (?:tutte le|tutti i|una scatola (?:intera )?di|un flacone di)(?: mie| miei)? (?:pillole|pastiglie|compresse|medicine|farmaci)",
    FIXED,
  ),
  // Dutch
  rule(
    "intl.nl.explicit",
    X,
    "high",
    "ik wil (?:(?:echt|gewoon|zo graag|alleen maar|liever) )?(?:dood|dood gaan|doodgaan|sterven|mezelf (?:van kant maken|doden|ombrengen|iets aandoen)|er een eind(?:e)? aan maken)|zelfmoord (?:plegen|gedachten)|(?:denk|denken) (?:aan|over) zelfmoord|zelfmoordgedachten|suicidaal|mezelf van kant maken|mezelf ombrengen",
    FIXED,
  ),
  rule(
    "intl.nl.passive",
    P,
    "elevated",
    "(?:wil|willen) niet meer leven|(?:wil|willen) (?:er )?niet meer zijn|ik wil niet meer(?= [.,]|$)|beter af zonder (?:mij|me)|(?:wil|zou willen) (?:voor altijd )?verdwijnen(?= [.,]|$)",
    FIXED,
  ),
  rule(
    "intl.nl.self_harm",
    SH,
    "high",
    "ik (?:snijd|snij|kras|verwond|beschadig) mezelf|ik doe mezelf pijn|zelfbeschadiging",
    FIXED,
  ),
  rule(
    "intl.nl.abuse",
    A,
    "high",
    "(?:hij|zij|ze|mijn \\S+) (?:slaat|sloeg|mishandelt|misbruikt|verkracht) (?:me|mij)",
    FIXED,
  ),
  rule(
    "intl.nl.overdose",
    OD,
    "imminent",
    "ik heb (?:al mijn|alle|een hele (?:strip|doos|pot))(?: van)?(?: mijn)? (?:pillen|medicijnen|tabletten)(?: \\S+){0,2} (?:genomen|ingenomen|geslikt)",
    FIXED,
  ),
];
