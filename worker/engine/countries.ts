// Countries as HRIS exports write them (ISO 3166 alpha-2 and alpha-3 codes, English names, common
// variants and local names) → one ISO alpha-2 code, and each country's default content region.
// The tenant's editable lookup (content_regions) overrides the default region.
import { fold } from "./fold.ts";

export const CONTENT_REGIONS = ["EMEA", "AMER", "APAC"] as const;
export type ContentRegion = (typeof CONTENT_REGIONS)[number];

export interface Country {
  /** ISO 3166-1 alpha-2: the form stored on members. */
  code: string;
  alpha3: string;
  name: string;
  region: ContentRegion;
  /** Other spellings seen in exports: short forms, official long forms, local names. */
  aliases: readonly string[];
}

// Countries where companies commonly employ people: all of the EU, the rest of Europe's larger
// employers, the Gulf and Africa's hubs, the Americas and Asia-Pacific. Not exhaustive on purpose:
// an unknown country resolves to null and surfaces as a warning instead of a guess.
export const COUNTRIES: readonly Country[] = [
  // European Union
  { code: "AT", alpha3: "AUT", name: "Austria", region: "EMEA", aliases: ["Österreich"] },
  { code: "BE", alpha3: "BEL", name: "Belgium", region: "EMEA", aliases: ["België", "Belgique", "Belgien"] },
  { code: "BG", alpha3: "BGR", name: "Bulgaria", region: "EMEA", aliases: [] },
  { code: "HR", alpha3: "HRV", name: "Croatia", region: "EMEA", aliases: ["Hrvatska"] },
  { code: "CY", alpha3: "CYP", name: "Cyprus", region: "EMEA", aliases: [] },
  { code: "CZ", alpha3: "CZE", name: "Czechia", region: "EMEA", aliases: ["Czech Republic", "Česko"] },
  { code: "DK", alpha3: "DNK", name: "Denmark", region: "EMEA", aliases: ["Danmark"] },
  { code: "EE", alpha3: "EST", name: "Estonia", region: "EMEA", aliases: ["Eesti"] },
  { code: "FI", alpha3: "FIN", name: "Finland", region: "EMEA", aliases: ["Suomi"] },
  { code: "FR", alpha3: "FRA", name: "France", region: "EMEA", aliases: [] },
  { code: "DE", alpha3: "DEU", name: "Germany", region: "EMEA", aliases: ["Deutschland"] },
  { code: "GR", alpha3: "GRC", name: "Greece", region: "EMEA", aliases: ["Hellas"] },
  { code: "HU", alpha3: "HUN", name: "Hungary", region: "EMEA", aliases: ["Magyarország"] },
  { code: "IE", alpha3: "IRL", name: "Ireland", region: "EMEA", aliases: ["Republic of Ireland", "Éire"] },
  { code: "IT", alpha3: "ITA", name: "Italy", region: "EMEA", aliases: ["Italia"] },
  { code: "LV", alpha3: "LVA", name: "Latvia", region: "EMEA", aliases: ["Latvija"] },
  { code: "LT", alpha3: "LTU", name: "Lithuania", region: "EMEA", aliases: ["Lietuva"] },
  { code: "LU", alpha3: "LUX", name: "Luxembourg", region: "EMEA", aliases: [] },
  { code: "MT", alpha3: "MLT", name: "Malta", region: "EMEA", aliases: [] },
  { code: "NL", alpha3: "NLD", name: "Netherlands", region: "EMEA", aliases: ["Holland", "Nederland"] },
  { code: "PL", alpha3: "POL", name: "Poland", region: "EMEA", aliases: ["Polska"] },
  { code: "PT", alpha3: "PRT", name: "Portugal", region: "EMEA", aliases: [] },
  { code: "RO", alpha3: "ROU", name: "Romania", region: "EMEA", aliases: ["România"] },
  { code: "SK", alpha3: "SVK", name: "Slovakia", region: "EMEA", aliases: ["Slovak Republic", "Slovensko"] },
  { code: "SI", alpha3: "SVN", name: "Slovenia", region: "EMEA", aliases: ["Slovenija"] },
  { code: "ES", alpha3: "ESP", name: "Spain", region: "EMEA", aliases: ["España"] },
  { code: "SE", alpha3: "SWE", name: "Sweden", region: "EMEA", aliases: ["Sverige"] },
  // Rest of Europe
  {
    code: "GB",
    alpha3: "GBR",
    name: "United Kingdom",
    region: "EMEA",
    aliases: [
      "UK",
      "U.K.",
      "Great Britain",
      "Britain",
      "England",
      "Scotland",
      "Wales",
      "Northern Ireland",
      "United Kingdom of Great Britain and Northern Ireland",
    ],
  },
  {
    code: "CH",
    alpha3: "CHE",
    name: "Switzerland",
    region: "EMEA",
    aliases: ["Schweiz", "Suisse", "Svizzera"],
  },
  { code: "NO", alpha3: "NOR", name: "Norway", region: "EMEA", aliases: ["Norge"] },
  { code: "IS", alpha3: "ISL", name: "Iceland", region: "EMEA", aliases: ["Ísland"] },
  { code: "UA", alpha3: "UKR", name: "Ukraine", region: "EMEA", aliases: [] },
  { code: "RS", alpha3: "SRB", name: "Serbia", region: "EMEA", aliases: ["Srbija"] },
  { code: "TR", alpha3: "TUR", name: "Turkey", region: "EMEA", aliases: ["Türkiye"] },
  // Middle East and Africa
  {
    code: "AE",
    alpha3: "ARE",
    name: "United Arab Emirates",
    region: "EMEA",
    aliases: ["UAE", "U.A.E.", "Emirates"],
  },
  {
    code: "SA",
    alpha3: "SAU",
    name: "Saudi Arabia",
    region: "EMEA",
    aliases: ["KSA", "Kingdom of Saudi Arabia"],
  },
  { code: "IL", alpha3: "ISR", name: "Israel", region: "EMEA", aliases: [] },
  { code: "QA", alpha3: "QAT", name: "Qatar", region: "EMEA", aliases: [] },
  { code: "KW", alpha3: "KWT", name: "Kuwait", region: "EMEA", aliases: [] },
  { code: "BH", alpha3: "BHR", name: "Bahrain", region: "EMEA", aliases: [] },
  { code: "JO", alpha3: "JOR", name: "Jordan", region: "EMEA", aliases: [] },
  { code: "EG", alpha3: "EGY", name: "Egypt", region: "EMEA", aliases: [] },
  { code: "MA", alpha3: "MAR", name: "Morocco", region: "EMEA", aliases: ["Maroc"] },
  { code: "NG", alpha3: "NGA", name: "Nigeria", region: "EMEA", aliases: [] },
  { code: "GH", alpha3: "GHA", name: "Ghana", region: "EMEA", aliases: [] },
  { code: "KE", alpha3: "KEN", name: "Kenya", region: "EMEA", aliases: [] },
  {
    code: "ZA",
    alpha3: "ZAF",
    name: "South Africa",
    region: "EMEA",
    aliases: ["RSA", "Republic of South Africa"],
  },
  // Americas
  {
    code: "US",
    alpha3: "USA",
    name: "United States",
    region: "AMER",
    aliases: ["United States of America", "U.S.", "U.S.A.", "America"],
  },
  { code: "CA", alpha3: "CAN", name: "Canada", region: "AMER", aliases: [] },
  { code: "MX", alpha3: "MEX", name: "Mexico", region: "AMER", aliases: ["México"] },
  { code: "BR", alpha3: "BRA", name: "Brazil", region: "AMER", aliases: ["Brasil"] },
  { code: "AR", alpha3: "ARG", name: "Argentina", region: "AMER", aliases: [] },
  { code: "CL", alpha3: "CHL", name: "Chile", region: "AMER", aliases: [] },
  { code: "CO", alpha3: "COL", name: "Colombia", region: "AMER", aliases: [] },
  { code: "PE", alpha3: "PER", name: "Peru", region: "AMER", aliases: ["Perú"] },
  { code: "UY", alpha3: "URY", name: "Uruguay", region: "AMER", aliases: [] },
  { code: "EC", alpha3: "ECU", name: "Ecuador", region: "AMER", aliases: [] },
  { code: "CR", alpha3: "CRI", name: "Costa Rica", region: "AMER", aliases: [] },
  { code: "PA", alpha3: "PAN", name: "Panama", region: "AMER", aliases: ["Panamá"] },
  { code: "PR", alpha3: "PRI", name: "Puerto Rico", region: "AMER", aliases: [] },
  // Asia-Pacific
  { code: "IN", alpha3: "IND", name: "India", region: "APAC", aliases: ["Bharat"] },
  {
    code: "CN",
    alpha3: "CHN",
    name: "China",
    region: "APAC",
    aliases: ["PRC", "People's Republic of China", "Mainland China"],
  },
  { code: "JP", alpha3: "JPN", name: "Japan", region: "APAC", aliases: ["Nippon"] },
  {
    code: "KR",
    alpha3: "KOR",
    name: "South Korea",
    region: "APAC",
    aliases: ["Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)"],
  },
  { code: "SG", alpha3: "SGP", name: "Singapore", region: "APAC", aliases: [] },
  { code: "AU", alpha3: "AUS", name: "Australia", region: "APAC", aliases: [] },
  { code: "NZ", alpha3: "NZL", name: "New Zealand", region: "APAC", aliases: ["Aotearoa"] },
  { code: "HK", alpha3: "HKG", name: "Hong Kong", region: "APAC", aliases: ["Hong Kong SAR"] },
  { code: "TW", alpha3: "TWN", name: "Taiwan", region: "APAC", aliases: [] },
  { code: "MY", alpha3: "MYS", name: "Malaysia", region: "APAC", aliases: [] },
  { code: "TH", alpha3: "THA", name: "Thailand", region: "APAC", aliases: [] },
  { code: "ID", alpha3: "IDN", name: "Indonesia", region: "APAC", aliases: [] },
  { code: "PH", alpha3: "PHL", name: "Philippines", region: "APAC", aliases: [] },
  { code: "VN", alpha3: "VNM", name: "Vietnam", region: "APAC", aliases: ["Viet Nam"] },
  { code: "PK", alpha3: "PAK", name: "Pakistan", region: "APAC", aliases: [] },
  { code: "BD", alpha3: "BGD", name: "Bangladesh", region: "APAC", aliases: [] },
  { code: "LK", alpha3: "LKA", name: "Sri Lanka", region: "APAC", aliases: [] },
];

/** ISO alpha-2 code → default content region. */
export const COUNTRY_REGIONS: Readonly<Record<string, ContentRegion>> = Object.fromEntries(
  COUNTRIES.map((c) => [c.code, c.region]),
);

const BY_CODE: ReadonlyMap<string, Country> = new Map(COUNTRIES.map((c) => [c.code, c]));

// "The Netherlands" and "Netherlands, The" are the same country: "the" never tells countries apart.
function countryKey(value: string): string {
  return fold(value)
    .split(" ")
    .filter((w) => w !== "the")
    .join(" ");
}

const BY_KEY: ReadonlyMap<string, Country> = new Map(
  COUNTRIES.flatMap((c) => [c.code, c.alpha3, c.name, ...c.aliases].map((s) => [countryKey(s), c] as const)),
);

/**
 * An export's country value → ISO alpha-2 code and English name, or null when unknown. Accepts
 * codes, names and variants in any case, with or without accents, and values that carry the country
 * as one part: "London, UK", "Germany (DE)", "GB - United Kingdom".
 */
export function resolveCountry(value: string): { code: string; name: string } | null {
  const whole = lookup(value);
  if (whole) return whole;
  for (const part of value.split(/[,;/|()]| - /)) {
    const found = lookup(part);
    if (found) return found;
  }
  return null;
}

function lookup(value: string): { code: string; name: string } | null {
  const key = countryKey(value);
  if (!key) return null;
  const country = BY_KEY.get(key);
  return country ? { code: country.code, name: country.name } : null;
}

/** The built-in content region for an ISO alpha-2 code; null for a code this table does not know. */
export function defaultContentRegion(code: string): ContentRegion | null {
  return BY_CODE.get(code.trim().toUpperCase())?.region ?? null;
}
