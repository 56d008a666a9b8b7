// The words seeded customers are made of. Cities carry what must agree with them: state, country,
// phone prefix (numbers checked valid with libphonenumber-js/max, as the service validates them) and
// postal-code form. Non-ASCII names (München, Hauptstraße, Élysées) exercise the *_key normalisation.
import { searchKey } from "../../src/customers/search-key.js";

/** A city of the seed, with what goes with it. */
export interface SeedCity {
  city: string;
  state: string;
  country: string;
  /** E.164 prefix; the subscriber part is phoneBase + the row number, so phones are unique per city. */
  phonePrefix: string;
  phoneBase: number;
  /** GB: outward code; elsewhere the first numeric postal code (later ones add up to 49). */
  postal: string;
}

const US = 2_000_000; // 7-digit subscriber numbers with a valid first digit, room for 8M rows per city
const EIGHT = 20_000_000;

export const CITIES: readonly SeedCity[] = [
  { city: "San Francisco", state: "CA", country: "US", phonePrefix: "+1415", phoneBase: US, postal: "94102" },
  { city: "New York", state: "NY", country: "US", phonePrefix: "+1212", phoneBase: US, postal: "10001" },
  { city: "Austin", state: "TX", country: "US", phonePrefix: "+1512", phoneBase: US, postal: "78701" },
  { city: "Chicago", state: "IL", country: "US", phonePrefix: "+1312", phoneBase: US, postal: "60601" },
  { city: "Seattle", state: "WA", country: "US", phonePrefix: "+1206", phoneBase: US, postal: "98101" },
  { city: "Boston", state: "MA", country: "US", phonePrefix: "+1617", phoneBase: US, postal: "02108" },
  { city: "Denver", state: "CO", country: "US", phonePrefix: "+1303", phoneBase: US, postal: "80202" },
  { city: "London", state: "", country: "GB", phonePrefix: "+44207", phoneBase: US, postal: "SW1A" },
  { city: "Manchester", state: "", country: "GB", phonePrefix: "+44161", phoneBase: US, postal: "M1" },
  {
    city: "Edinburgh",
    state: "Scotland",
    country: "GB",
    phonePrefix: "+44131",
    phoneBase: US,
    postal: "EH1",
  },
  { city: "Berlin", state: "", country: "DE", phonePrefix: "+4930", phoneBase: EIGHT, postal: "10115" },
  {
    city: "München",
    state: "Bayern",
    country: "DE",
    phonePrefix: "+4989",
    phoneBase: EIGHT,
    postal: "80331",
  },
  { city: "Köln", state: "", country: "DE", phonePrefix: "+49221", phoneBase: US, postal: "50667" },
  { city: "Hamburg", state: "", country: "DE", phonePrefix: "+4940", phoneBase: EIGHT, postal: "20095" },
  {
    city: "Paris",
    state: "Île-de-France",
    country: "FR",
    phonePrefix: "+331",
    phoneBase: EIGHT,
    postal: "75001",
  },
  { city: "Lyon", state: "", country: "FR", phonePrefix: "+3347", phoneBase: US, postal: "69001" },
  { city: "Marseille", state: "", country: "FR", phonePrefix: "+3349", phoneBase: US, postal: "13001" },
  { city: "Zürich", state: "ZH", country: "CH", phonePrefix: "+4144", phoneBase: US, postal: "8001" },
];

/** Streets per country; `numberFirst` says whether the house number comes before the name. */
export const STREETS: Readonly<Record<string, { numberFirst: boolean; names: readonly string[] }>> = {
  US: {
    numberFirst: true,
    names: [
      "Market Street",
      "Mission Street",
      "Oak Avenue",
      "Maple Drive",
      "Cedar Lane",
      "Elm Street",
      "Washington Boulevard",
      "Lake Shore Drive",
      "Pine Street",
      "Sunset Avenue",
      "Park Place",
      "Broadway",
    ],
  },
  GB: {
    numberFirst: true,
    names: [
      "Baker Street",
      "Abbey Road",
      "High Street",
      "Station Road",
      "Church Lane",
      "Victoria Road",
      "King's Road",
      "Queen Street",
      "Mill Lane",
      "The Crescent",
    ],
  },
  DE: {
    numberFirst: false,
    names: [
      "Hauptstraße",
      "Bahnhofstraße",
      "Schloßallee",
      "Königstraße",
      "Gartenweg",
      "Am Marktplatz",
      "Lindenstraße",
      "Goethestraße",
      "Rheinuferstraße",
      "Schillerplatz",
    ],
  },
  FR: {
    numberFirst: true,
    names: [
      "rue de Rivoli",
      "avenue des Champs-Élysées",
      "rue de l'Église",
      "boulevard Saint-Germain",
      "rue Victor Hugo",
      "place de la République",
      "rue du Faubourg Saint-Honoré",
      "quai des Célestins",
    ],
  },
  CH: {
    numberFirst: false,
    names: ["Bahnhofstrasse", "Rämistrasse", "Limmatquai", "Seefeldstrasse", "Universitätstrasse"],
  },
};

// First names are two syllables, a consonant cluster and an ending (32 × 32 × 32 × 12 ≈ 393,000
// names, e.g. "Karithia"), so the first-name prefix search (driven with whole names, which also match
// longer names such as "Karithiah") stays selective: about 3 customers per search at a million rows.
export const FIRST_SYLLABLES = [
  "Ka",
  "Lo",
  "Mi",
  "Sa",
  "Ta",
  "Re",
  "No",
  "Be",
  "Da",
  "El",
  "Fa",
  "Gi",
  "Ha",
  "Is",
  "Jo",
  "Ke",
  "La",
  "Ma",
  "Ne",
  "Ol",
  "Pa",
  "Ra",
  "Se",
  "To",
  "Ul",
  "Va",
  "Wi",
  "Ya",
  "Za",
  "Ar",
  "Em",
  "Or",
];
export const MIDDLE_SYLLABLES = [
  "la",
  "ri",
  "mo",
  "na",
  "ve",
  "do",
  "li",
  "sa",
  "ne",
  "ro",
  "ta",
  "ki",
  "mi",
  "lu",
  "be",
  "ra",
  "go",
  "de",
  "fi",
  "po",
  "si",
  "te",
  "va",
  "zo",
  "ca",
  "le",
  "ni",
  "ma",
  "ru",
  "so",
  "ti",
  "wa",
];
export const LAST_SYLLABLES = [
  "n",
  "r",
  "l",
  "m",
  "th",
  "s",
  "d",
  "v",
  "k",
  "nd",
  "ll",
  "rt",
  "ph",
  "st",
  "ch",
  "rn",
  "lm",
  "sh",
  "nt",
  "x",
  "z",
  "b",
  "g",
  "t",
  "p",
  "rd",
  "ns",
  "lv",
  "mb",
  "ck",
  "rs",
  "ld",
];
export const ENDINGS = ["a", "o", "e", "ia", "el", "an", "us", "en", "is", "ah", "y", "ie"];

export const SURNAMES = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "García",
  "Miller",
  "Davis",
  "Rodriguez",
  "Martínez",
  "Hernández",
  "Lopez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Thompson",
  "White",
  "Harris",
  "Clark",
  "Lewis",
  "Robinson",
  "Walker",
  "Young",
  "Allen",
  "King",
  "Wright",
  "Scott",
  "Müller",
  "Schmidt",
  "Schneider",
  "Fischer",
  "Weber",
  "Meyer",
  "Wagner",
  "Becker",
  "Schulz",
  "Hoffmann",
  "Dubois",
  "Lefèvre",
  "Moreau",
  "Laurent",
  "Simon",
  "Michel",
  "Leroy",
  "Roux",
  "O'Brien",
  "MacDonald",
  "Murphy",
  "Kelly",
  "Nguyen",
  "Kim",
  "Patel",
  "Singh",
  "Rossi",
  "Novak",
  "Kowalski",
  "Jensen",
  "Nielsen",
  "Hansen",
];
export const COMPANY_SUFFIXES = ["Ltd", "GmbH", "Inc.", "SARL", "AG", "& Co", "Consulting", "Holdings"];
export const EMAIL_DOMAINS = ["example.com", "Example.org", "mail.example.net", "EXAMPLE.co.uk"];

/** Cities as rows for the seed statement, with their search keys computed by the service's own code. */
export function cityRows() {
  return CITIES.map((c, i) => ({
    i,
    city: c.city,
    city_key: searchKey(c.city),
    state: c.state,
    state_key: searchKey(c.state),
    country: c.country,
    phone_prefix: c.phonePrefix,
    phone_base: c.phoneBase,
    postal: c.postal,
  }));
}

/** Streets as rows for the seed statement; `i` counts within the country, `count` is its total. */
export function streetRows() {
  return Object.entries(STREETS).flatMap(([country, { numberFirst, names }]) =>
    names.map((street, i) => ({
      country,
      i,
      count: names.length,
      street,
      street_key: searchKey(street),
      number_first: numberFirst,
    })),
  );
}
