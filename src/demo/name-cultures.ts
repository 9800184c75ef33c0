// ---------------------------------------------------------------------------------------
// People: names from many scripts, so that identity search is exercised beyond ASCII.
// ---------------------------------------------------------------------------------------

interface NamePart {
  d: string;
  a: string;
  female: boolean;
  fd: string | undefined;
  fa: string | undefined;
}

interface Culture {
  first: NamePart[];
  last: NamePart[];
  /** w: "Given Family"; e: "Family Given"; E: "FamilyGiven" (no space). */
  order: 'w' | 'e' | 'E';
  offices: readonly string[];
}

/** `display:ascii:f` for given names, `display:ascii:femDisplay:femAscii` for family names. */
function parts(spec: string, family: boolean): NamePart[] {
  return spec.split(',').map((raw) => {
    const [d = '', a, x, y] = raw.trim().split(':');
    const ascii = a || d.toLowerCase().replace(/[^a-z]/g, '');
    return family
      ? { d, a: ascii, female: false, fd: x, fa: y }
      : { d, a: ascii, female: x === 'f', fd: undefined, fa: undefined };
  });
}

const culture = (
  first: string,
  last: string,
  order: Culture['order'],
  offices: string[],
): Culture => ({
  first: parts(first, false),
  last: parts(last, true),
  order,
  offices,
});

export const CULTURES: readonly Culture[] = [
  culture(
    'James,Olivia::f,Liam,Emma::f,Noah,Ava::f,William,Sophia::f,Benjamin,Mia::f,Henry,Charlotte::f,Jack,Grace::f,Daniel,Chloe::f,Samuel,Emily::f,Ethan,Hannah::f',
    "Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,Jackson,Thompson,White,Harris,Clark,Lewis,O'Brien:obrien",
    'w',
    ['London', 'New York', 'Toronto'],
  ),
  culture(
    'Jürgen:juergen,Anna::f,Lukas,Lena::f,Jonas,Leonie::f,Felix,Sophie::f,Maximilian,Marie::f,Björn:bjoern,Käthe:kaethe:f',
    'Müller:mueller,Schmidt,Schneider,Fischer,Weiß:weiss,Köhler:koehler,Schröder:schroeder,Wagner,Becker,Hoffmann,Schäfer:schaefer,Günther:guenther',
    'w',
    ['Berlin', 'Zürich'],
  ),
  culture(
    'François:francois,Hélène:helene:f,José:jose,Inés:ines:f,Chloé:chloe:f,Noémie:noemie:f,Mateo,Léa:lea:f,Joaquín:joaquin,Camille::f,Thiago,Bérénice:berenice:f,Sebastián:sebastian,Inês:ines:f,João:joao',
    'Lefèvre:lefevre,Núñez:nunez,Peña:pena,Gómez:gomez,Dubois,Martínez:martinez,Fernández:fernandez,Moreau,Gonçalves:goncalves,Rodríguez:rodriguez,Girard,Sánchez:sanchez,Faure,Araújo:araujo,Rousseau',
    'w',
    ['Paris', 'Madrid', 'São Paulo'],
  ),
  culture(
    'Zoë:zoe:f,Åsa:asa:f,Søren:soren,Bjørn:bjorn,Øyvind:oyvind,Ingrid::f,Lars,Sigríður:sigridur:f,Mikael,Elin::f',
    'Ångström:angstrom,Sjöberg:sjoberg,Lindqvist,Johansson,Nielsen,Håkansson:hakansson,Løvstad:lovstad,Bergström:bergstrom,Jónsdóttir:jonsdottir,Eriksen',
    'w',
    ['Stockholm', 'Oslo'],
  ),
  culture(
    'Łukasz:lukasz,Małgorzata:malgorzata:f,Grzegorz,Agnieszka::f,Jiří:jiri,Zuzana::f,Paweł:pawel,Katarzyna::f,Tomáš:tomas,Łucja:lucja:f',
    'Żółć:zolc,Wójcik:wojcik,Dvořák:dvorak:Dvořáková:dvorakova,Kowalczyk,Zieliński:zielinski:Zielińska:zielinska,Szymański:szymanski:Szymańska:szymanska,Świątek:swiatek,Nowak,Černý:cerny:Černá:cerna,Wiśniewski:wisniewski:Wiśniewska:wisniewska',
    'w',
    ['Warsaw', 'Prague'],
  ),
  culture(
    'Çağlar:caglar,Gülşen:gulsen:f,Emre,Elif::f,Murat,Zeynep::f,Barış:baris,Ayşe:ayse:f',
    'Yılmaz:yilmaz,Öztürk:ozturk,Şahin:sahin,Kaya,Demir,Çelik:celik,Arslan,Doğan:dogan',
    'w',
    ['Istanbul'],
  ),
  culture(
    'Priya::f,Arjun,Ananya::f,Rohan,Divya::f,Vikram,Kavya::f,Rahul,Sneha::f,Aditya,Lakshmi::f,Karthik',
    'Raman,Mehta,Iyer,Sharma,Patel,Reddy,Nair,Gupta,Krishnan,Banerjee,Rao,Menon',
    'w',
    ['Bangalore', 'London'],
  ),
  culture(
    'Thị Hương:huong:f,Văn An:an,Minh Tuấn:tuan,Thu Hà:ha:f,Quốc Bảo:bao,Ngọc Lan:lan:f',
    'Nguyễn:nguyen,Trần:tran,Lê:le,Phạm:pham,Hoàng:hoang,Võ:vo',
    'e',
    ['Ho Chi Minh City'],
  ),
  culture(
    '太郎:taro,花子:hanako:f,翔太:shota,美咲:misaki:f,健一:kenichi,由美:yumi:f,大輔:daisuke,陽菜:hina:f,拓也:takuya,愛子:aiko:f',
    '山田:yamada,佐藤:sato,鈴木:suzuki,高橋:takahashi,田中:tanaka,伊藤:ito,渡辺:watanabe,中村:nakamura,小林:kobayashi,加藤:kato',
    'e',
    ['Tokyo'],
  ),
  culture(
    '伟:wei,芳:fang:f,娜:na:f,敏:min:f,静:jing:f,磊:lei,洋:yang,婷:ting:f,杰:jie,秀英:xiuying:f,志强:zhiqiang,欣怡:xinyi:f',
    '王:wang,李:li,张:zhang,刘:liu,陈:chen,杨:yang,黄:huang,赵:zhao,吴:wu,周:zhou',
    'E',
    ['Shanghai', 'Shenzhen'],
  ),
  culture(
    '민준:minjun,서연:seoyeon:f,지훈:jihoon,하은:haeun:f,도윤:doyoon,지우:jiwoo:f',
    '김:kim,이:lee,박:park,최:choi,정:jung,강:kang',
    'E',
    ['Seoul'],
  ),
  culture(
    'Ольга:olga:f,Иван:ivan,Дмитрий:dmitry,Анна:anna:f,Сергей:sergey,Наталья:natalia:f,Алексей:alexey,Екатерина:ekaterina:f,Михаил:mikhail,Татьяна:tatiana:f',
    'Иванов:ivanov:Иванова:ivanova,Смирнов:smirnov:Смирнова:smirnova,Кузнецов:kuznetsov:Кузнецова:kuznetsova,Попов:popov:Попова:popova,Соколов:sokolov:Соколова:sokolova,Лебедев:lebedev:Лебедева:lebedeva,Шевченко:shevchenko,Коваленко:kovalenko,Морозов:morozov:Морозова:morozova,Волков:volkov:Волкова:volkova',
    'w',
    ['Berlin', 'Warsaw'],
  ),
  culture(
    'محمد:mohammed,أحمد:ahmed,فاطمة:fatima:f,مريم:maryam:f,يوسف:youssef,ليلى:layla:f,عمر:omar,نور:nour:f',
    'علي:ali,حسن:hassan,الخطيب:alkhatib,المصري:almasri,حداد:haddad,منصور:mansour,الحسيني:alhusseini,سعيد:saeed',
    'w',
    ['Dubai', 'Cairo'],
  ),
  culture(
    'Γιώργος:giorgos,Ελένη:eleni:f,Νίκος:nikos,Μαρία:maria:f,Δημήτρης:dimitris,Σοφία:sofia:f',
    'Παπαδόπουλος:papadopoulos:Παπαδοπούλου:papadopoulou,Οικονόμου:oikonomou,Γεωργίου:georgiou,Νικολάου:nikolaou,Κωνσταντίνου:konstantinou,Βλάχος:vlachos:Βλάχου:vlachou',
    'w',
    ['Athens'],
  ),
  culture(
    'נועה:noa:f,דוד:david,תמר:tamar:f,יונתן:yonatan,מיכל:michal:f,איתי:itai',
    'כהן:cohen,לוי:levi,מזרחי:mizrahi,פרץ:peretz,ביטון:biton,אברהם:avraham',
    'w',
    ['Tel Aviv'],
  ),
  culture(
    'अनन्या:ananya:f,राहुल:rahul,प्रिया:priya:f,अर्जुन:arjun,दीपिका:deepika:f,विकास:vikas',
    'शर्मा:sharma,वर्मा:verma,गुप्ता:gupta,सिंह:singh,जोशी:joshi,मिश्रा:mishra',
    'w',
    ['Bangalore'],
  ),
];

/** Every (culture, given, family) combination, numbered: a person's name is one of them. */
export const COMBO_STARTS: number[] = [];
export let COMBOS = 0;
for (const c of CULTURES) {
  COMBO_STARTS.push(COMBOS);
  COMBOS += c.first.length * c.last.length;
}

export function comboOf(cultureIdx: number, given: string, family: string): number {
  const c = CULTURES[cultureIdx]!;
  const f = c.first.findIndex((p) => p.d === given);
  const l = c.last.findIndex((p) => p.d === family || p.fd === family);
  if (f < 0 || l < 0) throw new Error(`demo name ${given} ${family} is not in its culture`);
  return COMBO_STARTS[cultureIdx]! + l * c.first.length + f;
}
