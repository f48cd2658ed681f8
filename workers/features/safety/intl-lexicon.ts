/**
 * Layer 1 lexicons for the languages Haven claims beyond English: Spanish, French, German,
 * Portuguese, Italian, Dutch, Polish, Hindi (Latin script, as typed on phones), Arabic and Chinese.
 *
 * Matched against `unicodeView()` (NFKC, lower case, Latin diacritics dropped, punctuation as
 * spaces), so Arabic script and Chinese characters survive, unlike the ASCII rules of
 * `patterns-intl.ts`, which stay in place for the languages they cover. Each language lists its own
 * idiom for each concept — suicidal intent, passive wishes, plans and times, means, method
 * questions, goodbyes, self-harm, harm to others, concern for someone — not word-for-word
 * translations. Local idioms that use death words ("me muero de risa", "mort de rire",
 * "笑死", "totlachen") are listed as exclusions.
 *
 * Needs clinical and native-speaker review before launch, like the English rules.
 */

import type { CrisisCategory, CrisisSeverity } from "./detector";
import { viewOf } from "./prepared";

type Sev = Exclude<CrisisSeverity, "none">;
interface Entry {
  readonly id: string;
  readonly lang: string;
  readonly category: CrisisCategory;
  readonly severity: Sev;
  readonly re: RegExp;
}

const X: CrisisCategory = "suicidal_ideation_explicit";
const P: CrisisCategory = "suicidal_ideation_passive";
const PL: CrisisCategory = "plan_or_means";
const OD: CrisisCategory = "overdose";
const SH: CrisisCategory = "self_harm";
const HO: CrisisCategory = "harm_to_others";
const TP: CrisisCategory = "third_party_concern";

/** Latin-script phrase list → word-bounded regex. */
const latin = (parts: readonly string[]) =>
  new RegExp(`(?<![\\p{L}\\p{N}])(?:${parts.join("|")})(?![\\p{L}\\p{N}])`, "u");
/** Arabic/Chinese phrase list → plain alternation (no word spaces in Chinese; Arabic clitics). */
const plain = (parts: readonly string[]) => new RegExp(`(?:${parts.join("|")})`, "u");

const e = (id: string, category: CrisisCategory, severity: Sev, re: RegExp): Entry => ({
  id: `intl.${id}`,
  lang: id.slice(0, id.indexOf(".")),
  category,
  severity,
  re,
});

const ENTRIES: readonly Entry[] = [
  // Spanish
  e(
    "es.intent",
    X,
    "high",
    latin([
      "(?:me )?quiero (?:morir|matar|suicidar)(?:me)?",
      "(?:voy|vaya) a (?:matarme|suicidarme|quitarme la vida|acabar con (?:todo|mi vida))",
      "quitarme la vida",
      "acabar con mi vida",
      "(?:pienso|pensando|pense) en (?:suicidarme|matarme|el suicidio|quitarme la vida)",
      "ya no (?:quiero|aguanto) (?:vivir|mas)",
      "me (?:mato|suicido)",
      "(?:ganas|deseos) de (?:morir|morirme|matarme|desaparecer)",
      "no quiero (?:seguir )?(?:vivir|existir|despertar)",
      "no vale la pena vivir",
      "mejor (?:muerto|muerta)",
    ]),
  ),
  e(
    "es.passive",
    P,
    "elevated",
    latin([
      "(?:estarian|estaria|estarias|estaran|vivirian) mejor sin mi",
      "ojala no (?:despertara|despierte|hubiera nacido)",
      "(?:quiero|quisiera) desaparecer",
      "dormir (?:y no despertar|para siempre)",
      "no despertar (?:nunca|mas)",
      "soy una carga",
      "para que seguir",
      "no (?:le )?veo sentido a (?:la vida|vivir|nada)",
    ]),
  ),
  e(
    "es.plan",
    PL,
    "high",
    latin([
      "(?:esta|esta misma) noche (?:lo hago|me voy|se acaba|termino)",
      "ya tengo (?:las pastillas|la cuerda|el arma|todo listo|un plan)",
      "(?:guardando|juntando|acumulando) (?:pastillas|pildoras|medicamentos)",
      "compre (?:una )?(?:cuerda|soga|pistola|veneno)",
      "cuantas pastillas",
      "cuanto (?:de )?\\p{L}+ (?:hace falta|necesito) para",
      "(?:desde|de) que altura",
      "dosis (?:letal|mortal)",
      "(?:me )?(?:tiro|tirare|lanzo|aviento) (?:del|de un|de la|al|a las vias)",
      "(?:me )?ahorco",
      "(?:carta|cartas|nota) de despedida",
      "me (?:despido|despedi) de (?:todos|ustedes)",
      "cuiden a mi (?:perro|gato|hij[oa])",
      "(?:regale|regalando) mis cosas",
      "es mi ultimo mensaje",
      "(?:sin|no) dolor para morir",
      "forma (?:mas )?(?:rapida|facil|indolora) de morir",
    ]),
  ),
  e(
    "es.overdose",
    OD,
    "imminent",
    latin([
      "me (?:tome|trague) (?:todas|todo|un (?:bote|frasco))",
      "(?:tome|me tome) (?:muchas|demasiadas) pastillas",
      "(?:me )?(?:tome|hice) una sobredosis",
    ]),
  ),
  e(
    "es.sh",
    SH,
    "high",
    latin([
      "me (?:corto|corte|estoy cortando|quemo|queme|lastimo|hago dano|pego)(?! (?:el pelo|las unas|el cabello|con el papel|cocinando))",
      "cortarme",
      "autolesion\\p{L}*",
      "cortes (?:nuevos|frescos)",
    ]),
  ),
  e(
    "es.others",
    HO,
    "high",
    latin([
      "(?:voy a|quiero|lo voy a|la voy a) (?:matarl[oa]|matarlos|matar a)",
      "(?:le|les) voy a (?:hacer dano|disparar|apunalar)",
    ]),
  ),
  e(
    "es.third",
    TP,
    "elevated",
    latin([
      "(?:mi|una) (?:amig[oa]|herman[oa]|hij[oa]|madre|padre|novi[oa]|pareja) (?:dice que )?(?:se quiere (?:matar|morir|suicidar)|quiere (?:morir|matarse|suicidarse)|se corta|se esta cortando|tomo pastillas)",
      "se despidio y no contesta",
    ]),
  ),
  // French
  e(
    "fr.intent",
    X,
    "high",
    latin([
      "(?:je )?(?:veux|voudrais|vais) (?:mourir|me tuer|me suicider|en finir)",
      "me foutre en l ?air",
      "mettre fin a (?:mes jours|ma vie)",
      "(?:pense|pensees|idees) (?:a|au|de) (?:me suicider|suicide|me tuer|mourir)",
      "(?:envie|besoin) de (?:mourir|crever|disparaitre|me tuer)",
      "je (?:veux|voudrais) plus (?:vivre|etre la)",
      "j ?ai plus (?:envie|la force) de vivre",
      "(?:marre|fatigue|fatiguee) de vivre",
      "je suis suicidaire",
    ]),
  ),
  e(
    "fr.passive",
    P,
    "elevated",
    latin([
      "(?:serait|seraient|serais|seront) mieux sans moi",
      "(?:ne plus|jamais) me reveiller",
      "disparaitre (?:pour toujours|a jamais)",
      "(?:je suis|suis) un fardeau",
      "a quoi bon (?:vivre|continuer)",
      "plus aucune raison de vivre",
      "dormir pour toujours",
    ]),
  ),
  e(
    "fr.plan",
    PL,
    "high",
    latin([
      "ce soir (?:c ?est|je le fais|tout s ?arrete|je pars)",
      "(?:j ?ai|jai) (?:les cachets|la corde|le flingue|l ?arme|tout prepare|un plan)",
      "(?:je garde|je stocke|j ?accumule|je mets de cote) (?:des |mes )?(?:cachets|medocs|medicaments|comprimes)",
      "combien de (?:cachets|comprimes|medocs|doliprane|paracetamol)",
      "dose (?:letale|mortelle)",
      "(?:de|a) quelle hauteur",
      "(?:me jeter|sauter) (?:du|d ?un|sous|par la|depuis)",
      "me pendre",
      "lettre d ?adieu",
      "mon dernier message",
      "(?:je vous dis|dire) adieu",
      "prenez soin de mon (?:chat|chien)",
      "(?:j ?ai donne|je donne) (?:toutes )?mes affaires",
      "sans souffrir",
    ]),
  ),
  e(
    "fr.overdose",
    OD,
    "imminent",
    latin([
      "(?:j ?ai|jai) (?:pris|avale) (?:toute? (?:la|le|une|ma) (?:boite|plaquette|flacon)|tous mes|plein de) ",
      "(?:j ?ai|jai) fait une (?:surdose|overdose|tentative)",
    ]),
  ),
  e(
    "fr.sh",
    SH,
    "high",
    latin([
      "(?:je me|me) (?:scarifie|scarifier|coupe|suis coupee?|brule|fais du mal|frappe)(?! (?:les cheveux|les ongles|en cuisinant))",
      "scarification\\p{L}*",
      "automutilation",
    ]),
  ),
  e(
    "fr.others",
    HO,
    "high",
    latin([
      "(?:je vais|j ?vais|envie de) (?:le|la|les) (?:tuer|buter|poignarder|descendre)",
      "(?:je vais|envie de) tuer (?:mon|ma|mes|ce|cette)",
    ]),
  ),
  e(
    "fr.third",
    TP,
    "elevated",
    latin([
      "(?:mon|ma) (?:ami|amie|pote|frere|soeur|fils|fille|copain|copine|mere|pere) (?:veut|va) (?:mourir|se suicider|se tuer|en finir)",
      "(?:il|elle) (?:se scarifie|parle de se suicider|a dit adieu)",
    ]),
  ),
  // German
  e(
    "de.intent",
    X,
    "high",
    latin([
      "(?:ich )?(?:will|mochte|werde|moechte) (?:sterben|mich umbringen|mich toten|mir das leben nehmen|nicht mehr leben|nicht mehr da sein)",
      "mich umbringen",
      "mir das leben nehmen",
      "(?:ich )?(?:habe|hab) (?:selbstmordgedanken|suizidgedanken)",
      "(?:ich bin|bin) suizidal",
      "an selbstmord denken",
      "schluss machen(?! mit (?:ihm|ihr|meinem|meiner))",
      "(?:keinen bock|keine lust|keine kraft) mehr (?:zu leben|auf (?:das|dieses) leben|auf leben)",
      "lebensmude",
    ]),
  ),
  e(
    "de.passive",
    P,
    "elevated",
    latin([
      "(?:waren|ware|waere) (?:alle )?besser dran ohne mich",
      "nicht mehr aufwachen",
      "(?:einfach )?verschwinden (?:fur immer|fuer immer)",
      "(?:ich bin|bin) (?:nur )?eine last",
      "wozu (?:noch )?leben",
      "kein sinn mehr",
      "fur immer schlafen",
      "einschlafen und nicht mehr aufwachen",
    ]),
  ),
  e(
    "de.plan",
    PL,
    "high",
    latin([
      "heute nacht (?:mache ich|ist es so weit|ist schluss)",
      "(?:hab|habe) (?:die tabletten|ein seil|das seil|eine waffe|alles vorbereitet|einen plan)",
      "(?:sammle|horte|spare) (?:tabletten|pillen|medikamente)",
      "wie viele (?:tabletten|pillen)",
      "todliche dosis",
      "letale dosis",
      "aus welcher hohe",
      "(?:von der|vom|vor den|vor einen) (?:brucke|dach|hochhaus|zug) (?:springen|werfen)",
      "mich (?:erhangen|aufhangen)",
      "abschiedsbrief",
      "meine letzte nachricht",
      "(?:kummert|passt) euch um meine (?:katze|hund|kinder)",
      "verschenke (?:alle )?meine sachen",
      "ohne schmerzen sterben",
    ]),
  ),
  e(
    "de.overdose",
    OD,
    "imminent",
    latin([
      "(?:hab|habe) (?:alle|die ganze packung|eine ganze packung|zu viele) (?:tabletten|pillen)? ?(?:genommen|geschluckt)",
      "(?:hab|habe) eine uberdosis",
    ]),
  ),
  e(
    "de.sh",
    SH,
    "high",
    latin(["(?:ich )?(?:ritze|schneide|verbrenne|verletze) mich", "ritzen", "selbstverletz\\p{L}*"]),
  ),
  e(
    "de.others",
    HO,
    "high",
    latin([
      "(?:ich )?(?:bring|bringe|werde) (?:ihn|sie|die|den) (?:um|umbringen|abstechen|erschiessen)",
      "(?:will|werde) (?:ihn|sie) (?:umbringen|toten|abstechen)",
    ]),
  ),
  e(
    "de.third",
    TP,
    "elevated",
    latin([
      "(?:mein|meine) (?:freund|freundin|bruder|schwester|sohn|tochter|mutter|vater) (?:will|mochte) (?:sterben|sich umbringen)",
      "(?:er|sie) ritzt sich",
      "hat sich verabschiedet und (?:antwortet|geht) nicht",
    ]),
  ),
  // Portuguese
  e(
    "pt.intent",
    X,
    "high",
    latin([
      "(?:eu )?(?:quero|vou) (?:morrer|me matar|me suicidar|acabar com (?:tudo|a minha vida|minha vida))",
      "tirar (?:a )?minha (?:propria )?vida",
      "(?:pensando|penso) em (?:me matar|suicidio|me suicidar|morrer)",
      "nao (?:quero|aguento) mais (?:viver|existir)",
      "(?:vontade|desejo) de (?:morrer|sumir|me matar)",
      "(?:to|estou) (?:pensando em|querendo) (?:me matar|morrer|sumir)",
    ]),
  ),
  e(
    "pt.passive",
    P,
    "elevated",
    latin([
      "(?:estariam|ficariam|seria) melhor sem mim",
      "nao acordar mais",
      "(?:quero|queria) sumir(?: pra sempre| para sempre)?",
      "sou um (?:fardo|peso)",
      "dormir (?:pra|para) sempre",
      "nao vejo sentido (?:em|na) (?:viver|vida)",
    ]),
  ),
  e(
    "pt.plan",
    PL,
    "high",
    latin([
      "hoje a noite (?:eu )?(?:vou|acaba|faco)",
      "(?:ja )?tenho (?:os remedios|a corda|a arma|tudo pronto|um plano)",
      "(?:guardando|juntando) (?:remedios|comprimidos)",
      "quantos (?:comprimidos|remedios)",
      "dose (?:letal|fatal)",
      "de que altura",
      "(?:me jogar|pular) (?:da|de uma|do|de um|na frente)",
      "me enforcar",
      "carta de despedida",
      "minha ultima mensagem",
      "cuidem do meu (?:gato|cachorro)",
      "(?:dei|doei|dando) (?:todas )?as minhas coisas",
      "sem dor",
    ]),
  ),
  e("pt.overdose", OD, "imminent", latin(["tomei (?:todos|todas|a cartela|o frasco|muitos|um monte de)"])),
  e(
    "pt.sh",
    SH,
    "high",
    latin([
      "(?:me )?(?:cortei|corto|cortando|queimei|machuquei)(?: de novo| os bracos| o braco| a perna)",
      "me cortar",
      "automutila\\p{L}*",
      "me machucar",
    ]),
  ),
  e(
    "pt.others",
    HO,
    "high",
    latin(["(?:vou|quero) (?:matar|matar ele|matar ela|mata lo|mata la)", "vou (?:esfaquear|dar um tiro)"]),
  ),
  e(
    "pt.third",
    TP,
    "elevated",
    latin([
      "(?:meu|minha) (?:amig[oa]|irma[o]?|filh[oa]|mae|pai|namorad[oa]) (?:quer|disse que quer|vai) (?:morrer|se matar|sumir)",
      "(?:ele|ela) (?:se corta|esta se cortando)",
    ]),
  ),
  // Italian
  e(
    "it.intent",
    X,
    "high",
    latin([
      "(?:voglio|vorrei|sto per) (?:morire|uccidermi|ammazzarmi|farla finita|togliermi la vita)",
      "farla finita",
      "togliermi la vita",
      "(?:pensieri|penso) (?:al suicidio|di uccidermi|di farla finita)",
      "non voglio piu vivere",
      "(?:voglia|desiderio) di (?:morire|sparire)",
    ]),
  ),
  e(
    "it.passive",
    P,
    "elevated",
    latin([
      "(?:starebbero|sarebbero|starebbe) meglio senza di me",
      "non svegliarmi piu",
      "sparire per sempre",
      "sono un peso",
      "dormire per sempre",
      "che senso ha (?:vivere|andare avanti)",
    ]),
  ),
  e(
    "it.plan",
    PL,
    "high",
    latin([
      "stanotte (?:lo faccio|finisce)",
      "ho (?:le pillole|la corda|la pistola|tutto pronto|un piano)",
      "(?:sto mettendo da parte|accumulo|conservo) (?:le )?(?:pillole|pastiglie|farmaci)",
      "quante (?:pillole|pastiglie|compresse)",
      "dose (?:letale|mortale)",
      "da che altezza",
      "(?:buttarmi|gettarmi|lanciarmi) (?:dal|da un|dalla|sotto)",
      "impiccarmi",
      "lettera d ?addio",
      "il mio ultimo messaggio",
      "prendetevi cura del mio (?:gatto|cane)",
      "(?:ho regalato|sto regalando) (?:tutte )?le mie cose",
      "senza soffrire",
    ]),
  ),
  e("it.overdose", OD, "imminent", latin(["ho preso (?:tutte|tutta|un intero|una scatola|troppe)"])),
  e(
    "it.sh",
    SH,
    "high",
    latin([
      "(?:mi )?(?:taglio|tagliata|tagliato|sono tagliat[oa]|brucio|faccio del male)(?! i capelli| le unghie)",
      "tagliarmi",
      "autolesion\\p{L}*",
    ]),
  ),
  e(
    "it.others",
    HO,
    "high",
    latin([
      "(?:lo|la|li) (?:ammazzo|uccido|faccio fuori)",
      "(?:voglio|sto per) (?:ammazzarlo|ucciderlo|ammazzarla|ucciderla)",
    ]),
  ),
  e(
    "it.third",
    TP,
    "elevated",
    latin([
      "(?:il mio|la mia|mio|mia) (?:amic[oa]|fratello|sorella|figli[oa]|madre|padre|ragazz[oa]) (?:vuole|dice di voler) (?:morire|uccidersi|farla finita)",
      "(?:lui|lei) si taglia",
    ]),
  ),
  // Dutch
  e(
    "nl.intent",
    X,
    "high",
    latin([
      "(?:ik )?(?:wil|ga) (?:dood|mezelf (?:van kant maken|doden|ombrengen)|er een einde aan maken|zelfmoord plegen)",
      "(?:ik )?(?:heb|denk aan|wil) (?:zelfmoord|zelfmoordgedachten|zelfmoordgedachtes)",
      "zelfmoord (?:plegen|doen)",
      "er een eind aan maken",
      "niet meer (?:leven|verder)",
      "(?:wil|zou) (?:het liefst )?dood (?:zijn|gaan)",
      "mezelf van kant maken",
    ]),
  ),
  e(
    "nl.passive",
    P,
    "elevated",
    latin([
      "beter af zonder mij",
      "niet meer wakker worden",
      "(?:voor altijd )?verdwijnen",
      "(?:ik ben|ben) een last",
      "voor altijd slapen",
      "geen zin meer in (?:het leven|leven)",
    ]),
  ),
  e(
    "nl.plan",
    PL,
    "high",
    latin([
      "vannacht (?:doe ik het|is het zover)",
      "(?:heb|ik heb) (?:de pillen|een touw|het touw|alles klaar|een plan)",
      "(?:pillen|medicijnen) (?:sparen|verzamelen|opsparen)",
      "hoeveel (?:pillen|tabletten)",
      "dodelijke dosis",
      "(?:voor de trein|van de brug|van het dak|van een flat) (?:springen|gooien)",
      "mezelf ophangen",
      "afscheidsbrief",
      "mijn laatste bericht",
      "zorg (?:goed )?voor mijn (?:kat|hond)",
      "mijn spullen weggeven",
      "zonder pijn",
    ]),
  ),
  e(
    "nl.overdose",
    OD,
    "imminent",
    latin([
      "(?:alle|een hele strip|te veel) (?:pillen|tabletten) (?:ingenomen|genomen|geslikt)",
      "overdosis",
    ]),
  ),
  e(
    "nl.sh",
    SH,
    "high",
    latin([
      "(?:ik )?(?:snij|kras|brand) mezelf",
      "mezelf (?:snijden|pijn doen|krassen)",
      "automutilatie",
      "zelfbeschadiging",
    ]),
  ),
  e(
    "nl.others",
    HO,
    "high",
    latin([
      "(?:ik )?(?:maak|ga) (?:hem|haar|ze) (?:af|vermoorden|doodmaken)",
      "(?:wil|ga) (?:hem|haar) vermoorden",
    ]),
  ),
  e(
    "nl.third",
    TP,
    "elevated",
    latin([
      "(?:mijn) (?:vriend|vriendin|broer|zus|zoon|dochter|moeder|vader) (?:wil|gaat) (?:dood|zelfmoord)",
      "(?:hij|zij) snijdt zichzelf",
    ]),
  ),
  // Polish (diacritics dropped by unicodeView: "zabić" → "zabic")
  e(
    "pl.intent",
    X,
    "high",
    latin([
      "(?:chce|chcialbym|chcialabym|zaraz) (?:umrzec|sie zabic|skonczyc ze soba|odebrac sobie zycie)",
      "(?:zabije|zabic) sie",
      "skonczyc ze soba",
      "odebrac sobie zycie",
      "mam mysli samobojcze",
      "(?:popelnic|popelnie) samobojstwo",
      "nie chce (?:juz )?zyc",
      "nie chce mi sie zyc",
      "mam dosc (?:zycia|zycia juz)",
    ]),
  ),
  e(
    "pl.passive",
    P,
    "elevated",
    latin([
      "(?:bylo|byloby|beda|byliby) (?:lepiej|lepiej im) beze mnie",
      "(?:zeby|obym) sie (?:juz )?nie obudzil\\p{L}*",
      "zniknac na zawsze",
      "jestem ciezarem",
      "zasnac na zawsze",
      "nie ma sensu (?:zyc|zycie)",
    ]),
  ),
  e(
    "pl.plan",
    PL,
    "high",
    latin([
      "dzis w nocy (?:to zrobie|koncze)",
      "mam (?:tabletki|sznur|line|bron|plan|wszystko przygotowane)",
      "(?:zbieram|odkladam|chomikuje) (?:tabletki|leki|pigulki)",
      "ile (?:tabletek|pigulek|lekow)",
      "smiertelna dawka",
      "z jakiej wysokosci",
      "(?:skoczyc|rzucic sie) (?:z mostu|z dachu|pod pociag|z okna)",
      "powiesic sie",
      "list pozegnalny",
      "moja ostatnia wiadomosc",
      "zaopiekujcie sie (?:moim|moja) (?:kotem|psem)",
      "rozdaje (?:swoje|moje) rzeczy",
      "bez bolu",
    ]),
  ),
  e(
    "pl.overdose",
    OD,
    "imminent",
    latin([
      "(?:wzialem|wzielam|lyknalem|lyknelam|polknalem|polknelam) (?:wszystkie|cale opakowanie|za duzo)",
      "przedawkowal\\p{L}*",
    ]),
  ),
  e(
    "pl.sh",
    SH,
    "high",
    latin([
      "(?:tne|cielam|cialem|pocielam|pocialem|okaleczam) sie",
      "ciac sie",
      "samookalecz\\p{L}*",
      "znowu sie (?:pocielam|pocialem)",
    ]),
  ),
  e("pl.others", HO, "high", latin(["(?:zabije|zajebie) (?:go|ja|ich)", "(?:chce|zaraz) (?:go|ja) zabic"])),
  e(
    "pl.third",
    TP,
    "elevated",
    latin([
      "(?:moj|moja) (?:przyjaciel|przyjaciolka|kolega|kolezanka|brat|siostra|syn|corka|mama|tata) (?:chce|mowi ze chce) (?:umrzec|sie zabic)",
      "(?:on|ona) sie tnie",
    ]),
  ),
  // Hindi / Hinglish in Latin script
  e(
    "hi.intent",
    X,
    "high",
    latin([
      "(?:mai|main|me|mein) (?:mar(?:na)? (?:jaunga|jaungi|chahta|chahti)|khudkushi kar)",
      "(?:marna|mar jana) (?:chahta|chahti) (?:hu|hoon|hun)",
      "khud ko (?:maar|khatam) (?:dunga|dungi|dena|lena)",
      "khudkushi (?:kar|karne|karunga|karungi)",
      "aatmhatya",
      "jeena nahi (?:chahta|chahti)",
      "(?:sab|sabkuch) khatam kar (?:dunga|dungi|du|doon)",
      "jaan de (?:dunga|dungi|du|doon)",
      "zindagi khatam",
    ]),
  ),
  e(
    "hi.passive",
    P,
    "elevated",
    latin([
      "mere bina (?:sab )?(?:khush|behtar)",
      "(?:kabhi )?na (?:uthu|uthoon)",
      "gayab ho (?:jau|jaun|jana)",
      "bojh (?:hu|hoon|hun)",
      "jeene ka (?:koi )?(?:matlab|faida) nahi",
      "hamesha ke liye so (?:jau|jaun|jana)",
    ]),
  ),
  e(
    "hi.plan",
    PL,
    "high",
    latin([
      "aaj raat (?:kar|khatam|ho) ",
      "(?:goliyan|goliya|tablets|dawai|rassi|rassi) (?:jama|ikatthi|rakh|le aaya|le aayi|kharid)",
      "kitni (?:goliyan|goliya|tablets|neend ki goli)",
      "kitni unchai",
      "(?:chhat|chat|pul|bridge|building) se (?:koodna|kudna|kood|kud)",
      "(?:phansi|fansi|faansi) (?:laga|lagane)",
      "(?:train|gaadi) ke (?:aage|neeche)",
      "aakhri (?:message|sandesh|baar)",
      "alvida",
      "mera (?:kutta|billi) (?:sambhal|dhyan)",
    ]),
  ),
  e(
    "hi.sh",
    SH,
    "high",
    latin([
      "(?:haath|hath|kalai|bazu) (?:kaat|kaata|kaati|kaatna)",
      "khud ko (?:kaat|chot|hurt|nuksan)",
      "blade se",
    ]),
  ),
  e("hi.others", HO, "high", latin(["(?:usko|use|unko) (?:maar dunga|maar dungi|jaan se maar|khatam kar)"])),
  e(
    "hi.third",
    TP,
    "elevated",
    latin(["(?:mera|meri) (?:dost|bhai|behen|beta|beti|maa|papa) (?:marna|suicide|khudkushi)"]),
  ),
  // Arabic (Modern Standard and common dialect forms)
  e(
    "ar.intent",
    X,
    "high",
    plain([
      "انتحر",
      "الانتحار",
      "أنتحر",
      "اقتل نفسي",
      "أقتل نفسي",
      "قتل نفسي",
      "أريد أن أموت",
      "اريد ان اموت",
      "بدي موت",
      "عايز اموت",
      "عاوز اموت",
      "ابي اموت",
      "أبغى أموت",
      "انهي حياتي",
      "أنهي حياتي",
      "إنهاء حياتي",
      "اخلص من حياتي",
      "أتخلص من حياتي",
      "ما بدي عيش",
      "مش عايز اعيش",
      "لا أريد أن أعيش",
      "لا اريد العيش",
    ]),
  ),
  e(
    "ar.passive",
    P,
    "elevated",
    plain([
      "أفضل بدوني",
      "افضل بدوني",
      "احسن من غيري",
      "ما أصحى",
      "ما اصحى",
      "لا أستيقظ",
      "أختفي للأبد",
      "اختفي للابد",
      "عبء على",
      "ليش عايش",
      "ما في فايدة من حياتي",
      "أنام وما أصحى",
    ]),
  ),
  e(
    "ar.plan",
    PL,
    "high",
    plain([
      "كم حبة",
      "جمعت حبوب",
      "أجمع الحبوب",
      "اجمع الحبوب",
      "اشتريت حبل",
      "عندي حبل",
      "عندي مسدس",
      "جرعة قاتلة",
      "جرعة مميتة",
      "من أي ارتفاع",
      "ارمي نفسي",
      "أرمي نفسي",
      "أشنق نفسي",
      "اشنق نفسي",
      "رسالة وداع",
      "آخر رسالة",
      "اخر رسالة",
      "وداعا",
      "الوداع",
      "اهتموا بقطتي",
      "اعتنوا ب",
    ]),
  ),
  e(
    "ar.sh",
    SH,
    "high",
    plain([
      "أجرح نفسي",
      "اجرح نفسي",
      "أؤذي نفسي",
      "اأذي نفسي",
      "أذيت نفسي",
      "جرحت نفسي",
      "اقطع يدي",
      "أجرح يدي",
      "شفرة",
    ]),
  ),
  e(
    "ar.others",
    HO,
    "high",
    plain(["سأقتله", "راح اقتله", "بقتله", "هقتله", "سأقتلها", "راح اقتلها", "بقتلها", "هقتلها"]),
  ),
  e(
    "ar.third",
    TP,
    "elevated",
    plain([
      "صديقي يريد أن ينتحر",
      "صديقتي تريد أن تنتحر",
      "يريد أن يموت",
      "تريد أن تموت",
      "بدو ينتحر",
      "بدها تنتحر",
      "يفكر بالانتحار",
      "تفكر بالانتحار",
    ]),
  ),
  // Chinese (simplified and traditional)
  e(
    "zh.intent",
    X,
    "high",
    plain([
      "自杀",
      "自殺",
      "想死",
      "不想活",
      "轻生",
      "輕生",
      "结束自己的生命",
      "結束自己的生命",
      "结束生命",
      "結束生命",
      "了结自己",
      "了結自己",
      "去死",
      "寻死",
      "尋死",
      "活不下去",
      "活着没意思",
      "活著沒意思",
    ]),
  ),
  e(
    "zh.passive",
    P,
    "elevated",
    plain([
      "没有我会更好",
      "沒有我會更好",
      "不要醒来",
      "不要醒來",
      "永远睡",
      "永遠睡",
      "消失算了",
      "从世界上消失",
      "從世界上消失",
      "是个累赘",
      "是個累贅",
      "拖累",
      "活着有什么意义",
      "活著有什麼意義",
    ]),
  ),
  e(
    "zh.plan",
    PL,
    "high",
    plain([
      "攒了好多药",
      "攢了好多藥",
      "攒了安眠药",
      "存了好多药",
      "存了很多藥",
      "买了绳子",
      "買了繩子",
      "吃多少片会死",
      "吃多少片會死",
      "多少片才会",
      "致死量",
      "多高才",
      "跳楼",
      "跳樓",
      "跳河",
      "上吊",
      "烧炭",
      "燒炭",
      "遗书",
      "遺書",
      "最后一条",
      "最後一條",
      "永别",
      "永別",
      "帮我照顾",
      "幫我照顧",
    ]),
  ),
  e(
    "zh.sh",
    SH,
    "high",
    plain(["割腕", "自残", "自殘", "划自己", "劃自己", "割自己", "伤害自己", "傷害自己", "烫自己", "燙自己"]),
  ),
  e("zh.others", HO, "high", plain(["杀了他", "殺了他", "杀了她", "殺了她", "弄死他", "弄死她", "捅死"])),
  e(
    "zh.third",
    TP,
    "elevated",
    plain(["他想自杀", "她想自杀", "他想自殺", "她想自殺", "他说想死", "她说想死", "他說想死", "她說想死"]),
  ),

  // Broader concepts per language: method questions, goodbyes, means in reach, others at risk.
  e(
    "es.method",
    PL,
    "high",
    latin([
      "cuant[oa]s? \\p{L}+(?: \\p{L}+){0,5} (?:para (?:morir|no despertar|matarme)|hacen falta para|es letal|matan|son letales)",
      "(?:de|desde) (?:que|cual) (?:piso|altura)",
      "(?:forma|manera) (?:menos dolorosa|mas rapida|mas facil|indolora|segura) de (?:morir|matarme|acabar)",
      "(?:no|sin) sobrevivir",
      "se muere (?:rapido|sin dolor)",
    ]),
  ),
  e(
    "es.final",
    P,
    "high",
    latin([
      "ya no (?:voy a estar|estare|estaré)(?: aqui| para)?",
      "(?:cuiden|cuidenme|que alguien (?:se quede con|cuide)) (?:a )?mi (?:gat[oa]|perr[oa]|hij[oa]s?|mascota)",
      "me voy con (?:ella|el|mi \\p{L}+)",
      "ya lo tengo decidido",
      "ya no (?:los|las|te) voy a molestar",
      "se acaba todo(?: de una vez)?",
      "me lleve un (?:coche|carro|camion|tren)",
      "no despertar(?:me)?(?: nunca| mas)?",
      "ya no quiero (?:estar aqui|seguir aqui|despertar)",
    ]),
  ),
  e(
    "es.means",
    PL,
    "high",
    latin([
      "(?:pistola|arma|escopeta|cuchillo) (?:\\p{L}+ ){0,6}(?:me la puse|en la cabeza|en el cuello)",
      "(?:guardando|juntando|escondiendo) (?:\\p{L}+ ){0,3}(?:pastillas|pildoras)",
      "(?:veneno|raticida|matarratas)",
      "el (?:sabado|viernes|domingo|lunes|martes|miercoles|jueves) me mato",
      "me mato",
    ]),
  ),
  e(
    "es.others2",
    HO,
    "high",
    latin(["(?:lo|la|los) voy a (?:apunalar|matar|picar|quebrar)", "ya traigo la navaja"]),
  ),
  e(
    "es.third2",
    TP,
    "high",
    latin([
      "(?:mi|una) (?:\\p{L}+ ){0,4}(?:(?:ya )?no quiere vivir|se quiere (?:matar|morir)|quiere (?:morirse|matarse)|me dijo que (?:se va a matar|quiere morir))",
      "esta guardando sus pastillas",
    ]),
  ),
  e(
    "fr.method",
    PL,
    "high",
    latin([
      "combien (?:\\p{L}+ ){0,6}(?:pour (?:mourir|en finir|ne (?:pas|plus) me reveiller)|(?:est|sont) (?:mortel|mortelle|mortels|letal|letale))",
      "(?:de )?quel etage",
      "combien de temps (?:\\p{L}+ ){0,3}(?:a mourir|pour mourir)",
      "(?:facon|maniere|moyen) (?:la moins douloureuse|le moins douloureux|la plus rapide|le plus rapide) de (?:mourir|me tuer|en finir)",
      "ca fait mal (?:de|quand on) (?:mourir|se pendre)",
    ]),
  ),
  e(
    "fr.final",
    P,
    "high",
    latin([
      "(?:une lettre|des lettres) pour (?:chacun|chacune|mes|ma|mon)",
      "je ne serai (?:plus|bientot plus) (?:la|là)",
      "prenez soin de (?:mon|ma|mes)",
      "adieu",
      "m enlever la vie",
      "marre d exister",
      "decue? de m etre reveillee?",
      "je (?:me )?pends",
      "tout est prevu",
      "je (?:le|la) plante",
      "plus envie de (?:me reveiller|vivre|continuer)",
    ]),
  ),
  e(
    "fr.means",
    PL,
    "high",
    latin([
      "corde (?:\\p{L}+ ){0,6}(?:cachee?|sous mon lit|dans (?:ma|mon))",
      "(?:j ai|jai) (?:pris|achete) une corde",
    ]),
  ),
  e(
    "fr.third2",
    TP,
    "high",
    latin(["(?:va|veut) se tuer", "va se suicider", "(?:il|elle) (?:veut|va) mourir"]),
  ),
  e(
    "de.method",
    PL,
    "high",
    latin([
      "wie viele? (?:\\p{L}+ ){0,5}(?:sind )?(?:todlich|toedlich|um zu sterben|zum sterben)",
      "aus welch\\p{L}* (?:stock|stockwerk|hohe|etage)",
      "(?:schmerzlos|am wenigsten schmerzhaft|am schnellsten) (?:sterben|umbringen|tot)",
      "wie lange dauert (?:es|das) (?:bis man )?(?:stirbt|tot ist)",
    ]),
  ),
  e(
    "de.final",
    P,
    "high",
    latin([
      "(?:setz|setze) meinem leben ein ende",
      "mach ich s",
      "abschiedsbriefe?",
      "(?:hab|habe) euch lieb",
      "passworter (?:aufgeschrieben|liegen)",
      "bin (?:bald |dann )?nicht mehr da",
      "(?:kummert|kuemmert) euch um",
      "besser (?:\\p{L}+ ){0,3}wenn ich weg (?:war|ware|bin)",
      "nicht mehr aufwachen",
    ]),
  ),
  e(
    "de.means",
    PL,
    "high",
    latin([
      "(?:waffenschrank|waffe|gewehr|pistole|jagdgewehr) (?:\\p{L}+ ){0,10}(?:schlussel|weiss wo|weiß wo|gedanken|im kopf)",
      "zigaretten auf (?:dem|meinem) arm",
    ]),
  ),
  e(
    "de.third2",
    TP,
    "high",
    latin([
      "(?:sich|er sich|sie sich) (?:heute |morgen )?umbringt",
      "sich umbringen will",
      "will nicht mehr leben",
    ]),
  ),
  e(
    "pt.method",
    PL,
    "high",
    latin([
      "quant[oa]s? (?:\\p{L}+ ){0,5}(?:pra|para) (?:morrer|nao acordar|me matar)",
      "(?:de que|qual) andar",
      "(?:jeito|forma|maneira) (?:menos dolorosa|mais rapida|mais facil) de (?:morrer|me matar|acabar)",
      "nao (?:sobrevive|sobreviver)",
    ]),
  ),
  e(
    "pt.final",
    P,
    "high",
    latin([
      "nao vou (?:mais )?estar (?:mais )?aqui",
      "(?:cuida|cuidem) d(?:a|o) minha? (?:gat[oa]|cachorr[oa]|filh[oa]s?)",
      "nao sair viv[oa]",
      "chumbinho",
      "to pensando (?:seriamente )?em me matar",
      "acabar com a (?:propria|minha) vida",
    ]),
  ),
  e(
    "pt.others2",
    HO,
    "high",
    latin(["(?:matar|acabar com) o cara", "vou la (?:\\p{L}+ ){0,4}com (?:o|a) (?:facao|faca|arma)"]),
  ),
  e(
    "it.method",
    PL,
    "high",
    latin([
      "quant[ie] (?:\\p{L}+ ){0,5}(?:per morire|sono letal\\p{L}+|per non svegliarmi)",
      "da che piano",
      "modo (?:meno doloroso|piu veloce|piu sicuro) per (?:morire|farla finita|uccidermi)",
      "(?:non )?sopravvivere",
    ]),
  ),
  e(
    "it.final",
    P,
    "high",
    latin([
      "non ci saro piu",
      "non dovranno piu preoccuparsi",
      "prendetevi cura",
      "la faccio finita",
      "finito tutto",
      "spero che la macchina",
      "(?:fucile|pistola) (?:\\p{L}+ ){0,8}(?:so dove|ci penso)",
    ]),
  ),
  e("it.third2", TP, "high", latin(["(?:vuole|voglia) morire", "vuole (?:uccidersi|farla finita)"])),
  e(
    "nl.method",
    PL,
    "high",
    latin([
      "hoeveel (?:\\p{L}+ ){0,5}(?:dodelijk|om dood te gaan|om te sterven)",
      "(?:minst pijnlijke|snelste|zekerste) manier",
      "van welke verdieping",
    ]),
  ),
  e(
    "nl.final",
    P,
    "high",
    latin([
      "(?:ben|is) er (?:binnenkort |straks )?niet meer",
      "sorry voor alles",
      "zorg(?:en)? voor mijn",
      "mezelf van kant",
      "hang ik me op",
      "niet meer wakker (?:word|worden)",
      "(?:geweer|pistool|jachtgeweer) (?:\\p{L}+ ){0,8}(?:kogels|ik weet waar|denk er)",
      "ik ben er klaar mee",
    ]),
  ),
  e(
    "pl.method",
    PL,
    "high",
    latin([
      "ile (?:\\p{L}+ ){0,5}(?:zeby umrzec|jest smiertelne|zabija|zeby sie nie obudzic)",
      "(?:najmniej bolesny|najszybszy|najpewniejszy) sposob",
      "z ktorego pietra",
    ]),
  ),
  e(
    "pl.final",
    P,
    "high",
    latin([
      "(?:mnie|mnie juz) (?:juz )?(?:niedlugo )?nie bedzie",
      "niech ktos (?:sie )?zaopiekuje",
      "przepraszam za wszystko",
      "sie zabije",
      "zabic sie",
      "(?:lykne|polkne|wezme) wszystkie",
      "(?:juz )?sie nie obudzic",
    ]),
  ),
  e("pl.others2", HO, "high", latin(["to (?:go|ja|ich) zabije", "noz mam w"])),
  e(
    "hi.method",
    PL,
    "high",
    latin([
      "kitn[ie] (?:\\p{L}+ ){0,5}(?:se (?:insaan |aadmi )?mar (?:jata|jaata|jayega|sakta)|marne ke liye|khani padti)",
      "marne ka (?:sabse )?(?:aasan |asaan |easy )?(?:tareeka|tarika|tareka)",
      "kitne (?:floor|manzil)",
    ]),
  ),
  e(
    "hi.final",
    P,
    "high",
    latin([
      "(?:zyada|jyada|jada) din nahi (?:rahunga|rahungi|rahoonga)",
      "(?:dhyan|khayal) rakhna (?:\\p{L}+ ){0,6}(?:nahi rahunga|nahi rahungi)",
      "khudkushi karna",
      "jaan de (?:dena|deni|dunga|dungi)",
      "(?:keetnashak|keeda maar|chuhe maarne|chuha maar)",
      "jeena nahi hai",
      "ab aur nahi hota",
    ]),
  ),
  e(
    "hi.others2",
    HO,
    "high",
    latin(["chaa?ku maar (?:dunga|dungi|doonga)", "use (?:maar|khatam kar) (?:dunga|dungi|doonga)"]),
  ),
  e(
    "ar.method",
    PL,
    "high",
    plain([
      "من اي دور",
      "من أي دور",
      "من أي طابق",
      "من اي طابق",
      "بدون ألم",
      "بدون الم",
      "عشان اموت",
      "عشان أموت",
      "حتى اموت",
      "حتى أموت",
      "ما اعيش",
      "ما أعيش",
    ]),
  ),
  e(
    "ar.final",
    P,
    "high",
    plain([
      "ما راح أحتاج",
      "ما راح احتاج",
      "وزعت أغراضي",
      "وزعت اغراضي",
      "سامحوني",
      "هخلص من حياتي",
      "اخلص من حياتي",
      "أخلص من حياتي",
      "ما يبي يعيش",
      "ما ابي اعيش",
      "ما أبي أعيش",
      "مو عايز اعيش",
    ]),
  ),
  e(
    "ar.means",
    PL,
    "high",
    plain(["وين المفتاح", "مسدس في", "علبة حبوب", "لأذبحه", "لاذبحه", "اذبحه", "أذبحه"]),
  ),
  e(
    "zh.method",
    PL,
    "high",
    plain([
      "会死",
      "能死",
      "才会死",
      "死得了",
      "几楼",
      "怎么死",
      "最不痛苦",
      "无痛",
      "無痛",
      "百草枯",
      "农药",
      "農藥",
    ]),
  ),
  e(
    "zh.final",
    P,
    "high",
    plain([
      "以后不会再麻烦",
      "以後不會再麻煩",
      "再也不会",
      "再也不會",
      "永别了",
      "帮我照顾好",
      "幫我照顧好",
      "够了",
      "夠了",
      "杀了我继父",
      "怎么动手",
    ]),
  ),

  // Basic coverage of further languages (not claimed in the evaluation; strongest phrases only).
  e(
    "ru.core",
    X,
    "high",
    plain([
      "покончить с собой",
      "покончу с собой",
      "хочу умереть",
      "убить себя",
      "убью себя",
      "самоубийств",
      "суицид",
      "не хочу жить",
      "повеситься",
      "повешусь",
      "выпить все таблетки",
      "вскрыть вены",
      "режу себя",
      "порезала себя",
      "порезал себя",
    ]),
  ),
  e(
    "uk.core",
    X,
    "high",
    plain([
      "покінчити з собою",
      "хочу померти",
      "вбити себе",
      "самогубств",
      "не хочу жити",
      "повіситися",
      "ріжу себе",
    ]),
  ),
  e(
    "tr.core",
    X,
    "high",
    latin([
      "intihar (?:etmek|edecegim|edecem|etmeyi)",
      "kendimi (?:oldur\\p{L}*|asmak|asacagim)",
      "olmek istiyorum",
      "yasamak istemiyorum",
      "can[iı]ma k[iı]y\\p{L}*",
      "bileklerimi kes\\p{L}*",
    ]),
  ),
  e(
    "ja.core",
    X,
    "high",
    plain([
      "死にたい",
      "自殺",
      "消えたい",
      "首を吊",
      "飛び降り",
      "リスカ",
      "生きていたくない",
      "殺したい",
      "死のう",
    ]),
  ),
  e(
    "ko.core",
    X,
    "high",
    plain(["죽고 싶", "죽고싶", "자살", "자해", "살고 싶지 않", "살기 싫", "뛰어내리", "목을 매"]),
  ),
  e(
    "id.core",
    X,
    "high",
    latin([
      "bunuh diri",
      "(?:ingin|pengen|mau|pingin) mati",
      "(?:ga|gak|nggak|tidak) (?:mau|ingin|pengen) hidup (?:lagi)?",
      "mengakhiri hidup",
      "melukai diri",
      "sayat tangan",
    ]),
  ),
  e(
    "vi.core",
    X,
    "high",
    latin([
      "muon chet",
      "tu sat",
      "khong muon song",
      "ket thuc cuoc (?:doi|song)",
      "nhay cau",
      "rach tay",
      "uong het thuoc",
    ]),
  ),
  e(
    "sv.core",
    X,
    "high",
    latin([
      "sjalvmord",
      "ta livet av mig",
      "jag vill do",
      "orkar inte leva",
      "skar mig (?:sjalv)?",
      "vill inte leva",
    ]),
  ),
  e(
    "ro.core",
    X,
    "high",
    latin([
      "sinucid\\p{L}*",
      "sa ma omor",
      "vreau sa mor",
      "nu mai vreau sa traiesc",
      "ma tai pe (?:maini|brate)",
    ]),
  ),
  e(
    "cs.core",
    X,
    "high",
    latin(["sebevrazd\\p{L}*", "chci umrit", "zabit se", "zabiju se", "nechci (?:uz )?zit", "rezu se"]),
  ),
];

/**
 * Which languages a message may be in: function words for Latin-script languages, the script for
 * the others. Only those languages' entries are tried (an English message skips nearly all).
 */
const LANG_HINTS: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "es",
    /(?:^| )(?:que|pero|porque|estoy|quiero|tengo|muy|ya|yo|mi|nada|todo|vida|para|voy|como|mas|el|la|los|las|lo|le|un|una|es|en|con|por|se|del|al|hoy|manana|si|cuando|eso|esto|porfa|q|tu)(?= |$)/,
  ],
  [
    "fr",
    /(?:^| )(?:je|j|pas|suis|mais|pour|avec|moi|tout|vie|plus|ne|ce|ca|c|est|je|j|me|m|moi|le|la|les|un|une|et|en|au|aux|des|du|ce|qui|tu|ton|ta|mon|ma|mes|demain|soir)(?= |$)/,
  ],
  [
    "de",
    /(?:^| )(?:ich|nicht|und|mich|mir|bin|ist|das|ein|eine|mehr|kein|wie|es|hab|habe|du|der|die|den|dem|zu|auf|mit|heute|morgen|mein|meine|er|sie|wir|ihr|nur|noch|schon|gar)(?= |$)/,
  ],
  [
    "pt",
    /(?:^| )(?:eu|nao|que|estou|to|minha|meu|pra|voce|vc|mais|tudo|de|vou|quero|o|a|os|as|um|uma|em|no|na|com|por|se|ja|hoje|amanha|ele|ela|isso|ta|ne)(?= |$)/,
  ],
  [
    "it",
    /(?:^| )(?:io|non|che|sono|mi|ho|per|piu|voglio|tutto|la|il|di|lo|gli|le|un|una|del|della|nel|con|se|ma|ha|oggi|domani|anche|gia|cosa)(?= |$)/,
  ],
  [
    "nl",
    /(?:^| )(?:ik|niet|het|een|wil|mijn|ben|meer|nog|van|de|dat|je|te|om|moet|ga|gaat|dood|zijn|heb|maar|als|wat|hoe|op|naar|met|vandaag|morgen|ze|hij)(?= |$)/,
  ],
  [
    "pl",
    /(?:^| )(?:nie|sie|jest|mnie|juz|ze|jak|mam|chce|bo|to|z|na|do|w|i|mi|ja|ty|tak|dzis|jutro|przez|moj|moja|co|zeby)(?= |$)/,
  ],
  [
    "hi",
    /(?:^| )(?:main|mai|hai|nahi|hu|hoon|mujhe|kya|bhi|aur|yaar|ka|ki|ko|se|mera|meri|mere|tum|tu|ab|koi|kuch|sab|bas|kar|raha|rahi|gaya|gayi|hoga|diya|liya|wala|wali|ke|me|mein)(?= |$)/,
  ],
  ["tr", /(?:^| )(?:ben|bir|ve|degil|cok|istiyorum|artik|intihar)(?= |$)/],
  ["id", /(?:^| )(?:aku|saya|tidak|gak|ga|ingin|pengen|mau|sudah|udah|bunuh)(?= |$)/],
  ["vi", /(?:^| )(?:toi|khong|muon|minh|chet|tu)(?= |$)/],
  ["sv", /(?:^| )(?:jag|inte|och|vill|mig|ar)(?= |$)/],
  ["ro", /(?:^| )(?:eu|nu|vreau|sa|ma|sunt)(?= |$)/],
  ["cs", /(?:^| )(?:ja|nechci|chci|jsem|se|uz)(?= |$)/],
  ["ar", /\p{Script=Arabic}/u],
  ["zh", /\p{Script=Han}/u],
  ["ja", /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u],
  ["ko", /\p{Script=Hangul}/u],
  ["ru", /\p{Script=Cyrillic}/u],
  ["uk", /\p{Script=Cyrillic}/u],
];

function candidateLanguages(view: string): Set<string> {
  const out = new Set<string>();
  for (const [lang, re] of LANG_HINTS) if (re.test(view)) out.add(lang);
  return out;
}

/** Local idioms that use death words without risk; a message matching one is read without it. */
const IDIOMS = new RegExp(
  [
    "me muero de (?:risa|hambre|sueno|verguenza|calor|frio|ganas)",
    "mort de rire",
    "mourir de (?:rire|faim|honte|fatigue|froid|chaud|ennui)",
    "morro de (?:rir|fome|vergonha|sono|medo|calor)",
    "muoio dal ridere",
    "muoio di (?:fame|sonno|caldo)",
    "totlachen",
    "tot(?:mude|mued)",
    "dood van de (?:honger|lach)",
    "doodmoe",
    "umieram z (?:glodu|nudow|smiechu)",
    "hass(?:te)? ke mar",
    "dood van (?:het lachen|de hitte|de honger|verveling|de kou|de stress)",
    "(?:me|nos) mat(?:o|a|aron) (?:el|la|ese|esa) ",
    "(?:el|la) \\p{L}+ (?:de \\p{L}+ )?me mato",
    "笑死",
    "累死",
    "饿死",
    "餓死",
    "热死",
    "熱死",
    "烦死",
    "煩死",
    "气死",
    "氣死",
    "困死",
    "忙死",
    "想死你",
    "مت من الضحك",
    "موت ضحك",
    "ميت من الجوع",
  ].join("|"),
  "gu",
);
const FICTION =
  /(?:pelicula|serie|novela|libro|juego|videojuego|personaje|film|roman|jeu|personnage|buch|spiel|figur|filme|livro|jogo|romanzo|gioco|personaggio|boek|spel|ksiazk\p{L}*|gra |postac|kahani|kitaab|فيلم|رواية|لعبة|电影|電影|小说|小說|游戏|遊戲|角色)/u;
const HISTORY =
  /(?:hace (?:\d+|dos|tres|varios) anos|il y a (?:\d+|deux|trois) ans|vor (?:\d+|zwei|drei) jahren|ha (?:\d+|dois|tres) anos|anni fa|jaar geleden|lat temu|saal pehle|منذ سنوات|几年前|幾年前|以前)/u;
/** A negator within the few words before a match, per language. */
const NEGATOR =
  /(?:^| )(?:no|nao|non|ne|pas|nicht|kein|keine|niet|geen|nie|nahi|nahin|mat|never|not|لا|ما|مش|لن|مو|不|没|沒|别|別|不会|不會|没有|沒有)(?: \S+){0,2} ?$/u;
const NEGATOR_CJK = /(?:不|没|沒|别|別)[^\s]{0,2}$/u;
const PAST_SAFE =
  /(?:(?:en|in|w|im|nel|em) (?:19|20)\d\d|(?:19|20)\d\d年|hace (?:\d+|dos|tres|varios|unos) anos|il y a (?:\d+|deux|trois|quelques) ans|vor (?:\d+|zwei|drei|ein paar) jahren|ha (?:\d+|dois|tres|alguns) anos|anni fa|jaar geleden|lat temu|saal pehle|منذ|كنت|以前|那会儿|那時|曾经|曾經)/u;
const DENIAL =
  /(?:no (?:quiero|voy a) (?:matarme|morir|hacerme dano)|je ne vais pas (?:me tuer|mourir)|ich (?:will|werde) (?:mich )?nicht (?:sterben|umbringen)|nao vou me matar|non (?:voglio|ho intenzione di) (?:morire|uccidermi)|ik wil niet dood|nie chce (?:sie )?zabic|nahi marunga|لن أنتحر|لا أريد أن أموت|不会自杀|不會自殺|不想死)/u;

/** A message-level denial in any claimed language ("no, no estoy pensando en suicidarme"). */
const NEGATED_TOPIC =
  /(?:^| )(?:no|nao|non|nicht|kein|keine|niet|geen|nie|nahi|nahin|ne|pas|لا|ما|مش|لن)(?: \S+){0,4} (?:suicid|suizid|selbstmord|zelfmoord|samobojst|matarme|suicidarme|morir|mourir|me tuer|sterben|umbringen|uccidermi|morire|me matar|morrer|hacerme dano|me faire du mal|me machucar|farmi del male|mezelf pijn|zrobic sobie krzywde|khud ko|hurt|انتحر|اموت|أموت|اأذي|أؤذي)/u;
const ACADEMIC =
  /(?:psychiatr|psiquiatr|护士|護士|enfermer[oa] (?:y|de|en)|infirmier|infirmiere|krankenpfleger|verpleegkundige|pielegniark|tesis|tesina|trabajo (?:de|sobre|para la)|memoire|hausarbeit|referat|scriptie|werkstuk|tese|trabalho (?:de|sobre)|tesi di|praca (?:o|na temat|magisterska|licencjacka)|prezentacj|assignment|research|بحث|دراسة|论文|論文|作业|作業|研究|课题)/u;

/**
 * True when a message in a claimed language is read safely: fiction, history with present safety,
 * a denial, an academic frame. Also applied to the older ASCII rules of `patterns-intl.ts`.
 */
export function intlSafeContext(text: string): boolean {
  const view = viewOf(text).replace(IDIOMS, " ");
  return (
    FICTION.test(view) ||
    HISTORY.test(view) ||
    PAST_SAFE.test(view) ||
    DENIAL.test(view) ||
    NEGATED_TOPIC.test(view) ||
    ACADEMIC.test(view)
  );
}

/** True when the whole message is one of the languages' death idioms ("ik ga dood van het lachen"). */
export function intlIdiomOnly(text: string): boolean {
  const view = viewOf(text);
  return IDIOMS.test(view) && !ENTRIES.some((e) => e.re.test(view.replace(IDIOMS, " ")));
}

/** The most severe lexicon entry matching the message, or null. */
export function matchIntl(text: string): { id: string; category: CrisisCategory; severity: Sev } | null {
  let view = viewOf(text);
  if (view === "") return null;
  const langs = candidateLanguages(view);
  if (langs.size === 0) return null;
  view = view.replace(IDIOMS, " ");
  if (intlSafeContext(text)) return null;
  let best: Entry | null = null;
  const rank = { elevated: 1, high: 2, imminent: 3 } as const;
  for (const entry of ENTRIES) {
    if (!langs.has(entry.lang)) continue;
    const m = entry.re.exec(view);
    if (m === null) continue;
    const before = view.slice(Math.max(0, m.index - 30), m.index);
    if (NEGATOR.test(before) || NEGATOR_CJK.test(before)) continue;
    if (best === null || rank[entry.severity] > rank[best.severity]) best = entry;
  }
  return best === null ? null : { id: best.id, category: best.category, severity: best.severity };
}
