/**
 * Blocklist of common and predictable passwords (NIST SP 800-63B §3.1.1.2: "values known to be
 * commonly-used, expected, or compromised"). Offline by design: no breach API is called, so no
 * password (or password-hash prefix) ever leaves the Worker.
 *
 * Two layers:
 * 1. A literal list of the most-used passwords and password "bases" (top breach-corpus entries,
 *    names, sports teams, pop culture, keyboard walks, other-language words for "password", and
 *    words specific to this service), lower-cased.
 * 2. Patterns that catch the variations attackers try first: a listed base with predictable
 *    digits/symbols around it ("Sunshine2024!", "123monkey"), leetspeak ("p@ssw0rd"), separators
 *    ("correct horse battery staple"), repeated units ("abcabcabcabc"), too few distinct characters,
 *    and keyboard walks / alphabetic or numeric runs ("qwertyuiop1234", "1qaz2wsx3edc").
 *
 * The list is generated from general knowledge of published breach-frequency rankings; it is not a
 * copy of any one corpus.
 */

const LIST = `
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman
1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster
soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars
klaster 112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777
pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme
matthew access yankees 987654321 dallas austin thunder taylor matrix william corvette hello martin heather
secret merlin diamond 1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test bailey q1w2e3r4t5
patrick internet scooter orange 11111 golfer cookie richard samantha bigdog guitar jackson whatever mickey
chicken sparky snoopy maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea
smokey steelers joseph mercedes dakota arsenal eagles melissa boomer booboo spider nascar monster tigers
yellow xxxxxx 123123123 gateway marina diablo bulldog qwer1234 compaq purple hardcore banana junior hannah
123654 porsche lakers iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000 miller
boston q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox player nikita
knight fender barney midnight please brandy chicago badboy slayer rangers charles angel flower bigdaddy
rabbit wizard jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter
prince marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf crystal
87654321 12344321 golden 8675309 panther lauren angela spanky thx1138 angels madison winston shannon mike
toyota jordan23 canada sophie apples tiger razz 123abc pokemon qazxsw 55555 qwaszx muffin johnson murphy
cooper jonathan liverpoo david danielle 159357 jackie 1990 123456a 789456 turtle abcd1234 scorpion
qazwsxedc 101010 butter carlos password1 dennis slipknot qwerty123 booger asdf 1991 black startrek
12341234 cameron newyork rainbow nathan john 1992 rocket viking redskins asdfghjkl 1212 sierra peaches
gemini doctor wilson sandra helpme qwertyui victor florida dolphin pookie captain tucker blue liverpool
theman bandit dolphins maddog packers jaguar lovers nicholas united tiffany maxwell zzzzzz nirvana jeremy
stupid monica elephant giants hotdog rosebud success debbie mountain 444444 xxxxxxxx warrior 1q2w3e4r5t
q1w2e3 123456q albert metallic lucky azerty 7777 alex bond007 alexis 1111111 samson 5150 willie scorpio
bonnie gators benjamin voodoo driver dexter 2112 jason calvin freddy 212121 creative 12345a sydney
rush2112 1989 asdfghjk red123 bubba 4815162342 passw0rd trouble gunner happy gordon legend jessie stella
qwert eminem arthur apple nissan bear america 1qazxsw2 nothing parker 4444 rebecca qweqwe garfield
01012011 beavis 69696969 jack asdasd december 2222 102030 252525 11223344 magic apollo skippy 315475 girls
kitten golf copper braves shelby godzilla beaver fred tomcat august buddy airborne 1993 1988 lifehack
qqqqqq brooklyn animal platinum phantom online xavier darkness blink182 power fish green 789456123 voyager
police travis 12qwaszx heaven snowball lover abcdef 00000 pakistan 007007 walter playboy blazer cricket
sniper donkey willow loveme saturn therock redwings bigboy pumpkin trinity williams nintendo digital
destiny topgun runner marvin guinness chance bubbles testing fire november minecraft asdf1234 lasvegas
sergey broncos cartman private celtic birdie little cassie babygirl donald beatles 1313 family 12121212
school louise gabriel eclipse fluffy 147258369 lol123 explorer beer nelson flyers spencer scott lovely
gibson doggie cherry andrey snickers buffalo pantera metallica member carter qwertyu peter alexander
steve bronco paradise goober 5555 samuel montana mexico dreams michigan carolina friends magnum surfer
maximus genius cool vampire lacrosse asd123 aaaa christin kimberly speedy sharon carmen 111222 kristina
sammy racing ou812 sabrina horses 0987654321 qwerty1 pimpin baby stalker enigma 147147 star poohbear
147258 simple 12345q marcus brian 1987 qweasdzxc drowssap hahaha caroline barbara dave viper drummer action
einstein genesis hello1 scotty friend forest 010203 hotrod google vanessa spitfire badger maryjane friday
alaska 1232323q tester jester jake champion floyd sweet united1 aaaaaaaa 123qweasd qwe123 1q2w3e 123456789a
password12 password123 password1234 passwd pa55word pa55w0rd p4ssword p4ssw0rd p@ssword p@ssw0rd passpass
mypassword mypass newpassword newpass oldpassword changeme changeit letmein1 welcome1 welcome123 admin
admin1 admin123 administrator root toor guest default login master123 test123 test1234 qwerty12
qwerty1234 iloveyou1 iloveyou2 iloveu iloveme ilovemymom ilovemydad ilovemyfamily ilovemydog ilovemycat
iloveyoubaby iloveyouforever iloveyoumore ihateyou loveyou lovelove jesus jesus1 jesuschrist jesusislord
jesuslovesme godisgood godisgreat blessed faith grace hope trust believe opensesame nopassword
thisismypassword passwordpassword letmeinplease correcthorsebatterystaple correcthorse thequickbrownfox
thequickbrownfoxjumpsoverthelazydog maytheforcebewithyou youshallnotpass trustnoone iamthebest imthebest
foreverandalways sweetheart sweetpea superstar rockstar myspace mybaby babyboy princesa princess1 angel1
sunshine1 monkey1 dragon1 shadow1 master1 football1 baseball1 soccer1 hockey1 charlie1 michael1 jordan1
whatever1 freedom1 summer1 qwertyuiop123 qwertyuiop1234 asdfghjkl123 zxcvbnm123 1qaz2wsx3edc
1qaz2wsx3edc4rfv zaq12wsx zaq1zaq1 zaq1xsw2 qweasd asdzxc poiuytrewq lkjhgfdsa mnbvcxz qwertz ytrewq
azertyuiop qwertzuiop 1q2w3e4r5t6y q1w2e3r4t5y6 123456789012 1234567890123 111111111111 000000000000
123123123123 121212121212 098765432109 987654321098 741852963 963852741 1122334455 112233445566
5201314 520520 1314520 7758521 66666666 99999999 12345678910 0123456789 01234567 147852369 159951 456789
sophia olivia emma isabella emily abigail chloe elizabeth megan stephanie amber christina laura kelly
natalie courtney brittany katherine ryan tyler kevin eric timothy jeffrey mark paul stephen gregory
zachary aaron kyle jacob ethan mason logan lucas noah liam elijah aiden jayden isaiah dylan hunter1
christopher anthony1 brandon1 justin1 kayla alyssa destiny1 jasmine1 vanessa1 melanie julia diana
monique alicia rosa carmen1 lucia mariana fernanda gabriela valentina camila daniela andrea1 paula
alejandro diego javier miguel jose juan luis pedro antonio manuel francisco ricardo roberto fernando
pablo sergio rafael marco mario luigi giovanni francesca giulia alessandro matteo lorenzo andrei
dmitry ivan natalia olga svetlana tatiana anastasia ekaterina vladimir alexey mikhail pavel igor
patriots celtics bulls chargers vikings bears seahawks ravens saints falcons jaguars texans titans
colts chiefs bengals browns jets bills lions rams cardinals niners 49ers commanders warriors knicks
heat spurs mavericks rockets clippers nets sixers dodgers cubs mets astros phillies mariners orioles
twins royals padres rockies brewers marlins pirates reds whitesox bluejays canucks bruins blackhawks
penguins manutd manchester manchesterunited mancity tottenham everton juventus barcelona realmadrid
barca bayern milan acmilan inter intermilan psg ajax galatasaray fenerbahce besiktas flamengo
corinthians boca riverplate benfica porto sporting schalke dortmund borussia napoli roma lazio
pikachu naruto sasuke goku dragonball onepiece fortnite roblox zelda mario supermario spiderman ironman
hulk thor avengers marvel harrypotter hogwarts frodo neo morpheus terminator skywalker vader darthvader
yoda jedi chewbacca hellokitty simpsons homer bart spongebob shrek nemo elsa frozen barbie disney minnie
goofy pooh winnie bambi batman1 superman1 starwars1 pokemon1 gameover playstation xbox xbox360 nintendo64
callofduty halo warcraft worldofwarcraft diablo2 counterstrike leagueoflegends overwatch valorant
bmw audi honda chevy chevrolet dodge jeep ducati suzuki kawasaki volkswagen volvo lamborghini bugatti
tesla iphone android facebook twitter instagram youtube netflix amazon microsoft windows linux ubuntu
oracle cisco dell hewlett lenovo samsung1 nokia motorola blackberry sony panasonic skype whatsapp tiktok
chocolate cupcake strawberry honey sugar butterfly sunflower flowers rose daisy lily tulip cherry1 kiwi
mango peach lemon pineapple watermelon coconut vanilla caramel cinnamon pizza burger pasta tacos sushi
bacon cheese1 coffee1 tea beer1 whiskey vodka tequila wine spring autumn fall sunset sunrise moon stars
starlight moonlight ocean beach island river sky cloud storm thunder1 lightning rain snow ice fire1 earth
water wind nature forest1 tree garden paradise1 dream dreamer happy1 smile smiley funny crazy cool1
awesome amazing beautiful pretty cute lovely1 sweet1 perfect special secret1 hidden mystery magic1
wizard1 witch ghost demon devil angel12 heaven1 hell god lucifer zombie vampire1 werewolf unicorn
pegasus griffin phoenix1 dragons tigger1 lion cat cats dog dogs puppy kitty bunny horse pony wolf fox
bear1 panda koala monkey12 shark dolphin1 whale eagle hawk raven crow owl falcon1 cobra python viper1
soccer12 football12 baseball12 basketball volleyball softball tennis1 golf1 hockey12 boxing karate
ninja samurai warrior1 soldier army navy marines airforce pilot sailor captain1 general sergeant
doctor1 nurse teacher student school1 college university london1 paris berlin madrid rome tokyo
newyork1 chicago1 boston1 dallas1 miami houston seattle denver phoenix12 atlanta detroit vegas california
texas florida1 australia england france germany italy spain brazil argentina mexico1 russia india
china japan korea philippines manila jakarta singapore dubai toronto vancouver sydney1 melbourne
motdepasse passwort contrasena senha parola salasana wachtwoord haslo heslo jelszo lozinka sifre parol
losenord adgangskode kodeord passord geslo slaptazodis bonjour soleil loulou doudou chouchou jetaime
teamo tequiero amor amore tiamo ichliebedich liebe schatz hallo mamapapa mama papa mother1 father
sister brother family1 children baby123 mylove lovers1 romance darling honey1 babe boyfriend
girlfriend husband wife wedding marriage forever1 always never nothing1 everything something anything
haven havenapp haven123 therapy therapist mentalhealth wellness mindful mindfulness anxiety depression
counseling counselling selfcare healing recovery happiness calm peace peaceful serenity breathe
meditation meditate wellbeing health healthy doctorwho clinic clinician patient hospital medicine
qwerty123456 qwertyqwerty asdfasdfasdf zxcvzxcv 1234abcd abcd12345 abc12345 abcdefg abcdefgh
abcdefghij abcdefghijkl abc123456 a1b2c3 a1b2c3d4 1a2b3c4d aa123456 aaa111 qaz123 wsx123 zxc123
asdqwe123 qwe123qwe 123qwe123 qweqweqwe asdasdasd zxczxczxc 1q1q1q1q 2w2w2w2w superuser sysadmin
webmaster manager support service office company business account user username login123
security secure password! changeme123 temp temp123 temporary test12345 demo sample example letmein!
`;

/** The literal blocklist, lower-cased; built once at module load. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter((w) => w.length > 0));

/**
 * Sequences a "walk" may follow: alphabet, digits, keyboard rows (QWERTY, QWERTZ, AZERTY), keyboard
 * columns and the common zig-zags. A run matches if it is a substring, forwards or reversed.
 */
const WALKS: readonly string[] = [
  "abcdefghijklmnopqrstuvwxyz",
  "01234567890",
  "`1234567890-=",
  "qwertyuiop[]\\",
  "asdfghjkl;'",
  "zxcvbnm,./",
  "qwertzuiop",
  "yxcvbnm",
  "azertyuiop",
  "qsdfghjklm",
  "wxcvbn",
  "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
  "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
  "qazwsxedcrfvtgbyhnujmikolp",
  "1q2w3e4r5t6y7u8i9o0p",
  "q1w2e3r4t5y6u7i8o9p0",
  "1a2s3d4f5g6h7j8k9l",
  "!@#$%^&*()_+",
];

const MIN_WALK_RUN = 3;

/** Leetspeak substitutions attackers apply to dictionary words. */
const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "8": "b",
  "9": "g",
  "@": "a",
  $: "s",
  "!": "i",
  "|": "l",
  "+": "t",
};

const AFFIX = /^[\p{N}\p{P}\p{S}\p{Z}]+|[\p{N}\p{P}\p{S}\p{Z}]+$/gu;
const SEPARATORS = /[\p{Z}\p{P}]+/gu;

function isWalkRun(run: string): boolean {
  const reversed = [...run].reverse().join("");
  return WALKS.some((w) => w.includes(run) || w.includes(reversed));
}

/** True if `s` can be cut entirely into walk runs of at least three characters each. */
export function isKeyboardWalk(s: string): boolean {
  const chars = [...s];
  const n = chars.length;
  if (n < MIN_WALK_RUN) return false;
  const reachable: boolean[] = new Array<boolean>(n + 1).fill(false);
  reachable[0] = true;
  for (let end = MIN_WALK_RUN; end <= n; end++) {
    for (let start = 0; start <= end - MIN_WALK_RUN && !reachable[end]; start++) {
      if (reachable[start] && isWalkRun(chars.slice(start, end).join(""))) reachable[end] = true;
    }
  }
  return reachable[n] === true;
}

/** True if `s` is a unit of at most `maxUnit` characters repeated at least twice ("abcabc"). */
function repeatedUnit(s: string): string | undefined {
  const chars = [...s];
  const n = chars.length;
  for (let size = 1; size <= n / 2; size++) {
    if (n % size !== 0) continue;
    const unit = chars.slice(0, size).join("");
    if (unit.repeat(n / size) === s) return unit;
  }
  return undefined;
}

function deLeet(s: string): string {
  return [...s].map((c) => LEET[c] ?? c).join("");
}

function isListed(word: string): boolean {
  if (word.length === 0) return false;
  const compact = word.replace(SEPARATORS, "");
  for (const candidate of [word, compact, deLeet(word), deLeet(compact), compact.replaceAll("1", "l")]) {
    if (COMMON_PASSWORDS.has(candidate)) return true;
    const unit = repeatedUnit(candidate);
    if (unit !== undefined && COMMON_PASSWORDS.has(unit)) return true;
  }
  return false;
}

/** Digits/symbols around a base word are predictable if short, a walk, or repetitive ("2024!", "123456"). */
function isPredictableAffix(affix: string): boolean {
  const digits = affix.replace(/\D/g, "");
  if (digits.length <= 4) return true;
  return isKeyboardWalk(digits) || repeatedUnit(digits) !== undefined || new Set(digits).size <= 2;
}

/**
 * Decides whether a candidate password is common or trivially predictable. Case-insensitive;
 * the input should already be NFKC-normalised (the password module does this).
 *
 * @example
 * isCommonPassword("Password2024!");   // true  (listed base + predictable suffix)
 * isCommonPassword("qwertyuiop1234");  // true  (keyboard walk + digit run)
 * isCommonPassword("maple-orbit-tundra-42"); // false
 */
export function isCommonPassword(candidate: string): boolean {
  const lower = candidate.toLowerCase();
  if (isListed(lower)) return true;

  // Too little variety: "aaaaaaaaaaaa", "abababababab", "112211221122".
  if (new Set(lower).size <= 3 || repeatedUnit(lower) !== undefined) return true;

  // Walks and runs across the whole string (ignoring separators): "qwertyuiop1234", "abc123xyz789".
  const compact = lower.replace(SEPARATORS, "");
  if (isKeyboardWalk(compact)) return true;

  // A listed base (or a walk of 6+) wrapped in predictable digits/symbols: "Sunshine2024!", "123monkey".
  const core = lower.replace(AFFIX, "");
  if (core !== lower && core.length > 0) {
    const prefix = lower.slice(0, lower.indexOf(core));
    const suffix = lower.slice(lower.indexOf(core) + core.length);
    if (isPredictableAffix(prefix) && isPredictableAffix(suffix)) {
      if (isListed(core)) return true;
      if ([...core].length >= 6 && isKeyboardWalk(core.replace(SEPARATORS, ""))) return true;
    }
  }
  return false;
}
