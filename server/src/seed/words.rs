//! Word lists for realistic demo data: names with accents and apostrophes, countries,
//! towns with their postcode areas, jobs with their SOC 2020 codes and typical salaries.

pub const FAMILY_NAMES: &[&str] = &[
    "Smith", "Jones", "O'Brien", "García", "Müller", "Nguyễn", "Kowalski", "Okafor", "Patel",
    "Singh", "Ó Súilleabháin", "D'Souza", "Rodríguez", "Fernández", "Łukaszewicz", "Søndergaard",
    "Chen", "Wang", "Kim", "Haddad", "Mensah", "Adeyemi", "Ivanova", "Novák", "Dvořák", "Yılmaz",
    "Öztürk", "Hernández", "Silva", "Gonçalves", "MacDonald", "McAllister", "O'Connor", "Nakamura",
    "Sato", "Khan", "Rahman", "Hussain", "Ali", "Kaur", "Sharma", "Mbeki", "Achterberg",
    "van der Berg", "De la Cruz", "Núñez", "Björk", "Lindqvist", "Papadopoulos", "Kuznetsov",
    "Abubakar", "Eze", "Tran", "Pham", "Reyes", "Santos", "Mendoza", "Cohen", "Lévesque", "Brontë",
];

pub const GIVEN_NAMES: &[&str] = &[
    "José", "Zoë", "Chloé", "Siobhán", "Łukasz", "Ana María", "François", "Renée", "René",
    "Aoife", "Niamh", "Seán", "Mohammed", "Fatima", "Priya", "Arjun", "Wei", "Mei", "Hiroshi",
    "Yuki", "Olusegun", "Chidi", "Ngozi", "Kwame", "Ama", "Dmitri", "Olga", "Jiří", "Zuzana",
    "Ayşe", "Mehmet", "Lucía", "João", "Inês", "Søren", "Åsa", "Björn", "Eleni", "Giorgos",
    "Thanh", "Linh", "Maria", "John", "Sarah", "David", "Emma", "Michael", "Grace", "Samuel",
    "Hannah", "Ahmed", "Aisha", "Rahul", "Anjali", "Carlos", "Sofía", "Mateo", "Valentina",
    "Jean-Luc", "Marie-Claire", "D'Arcy",
];

pub const OTHER_NAMES: &[&str] = &["Ann", "Marie", "Kofi", "Abdul", "Luis", "Kumar", "Jane", "Hồng"];

/// (country, a city in it): the country is also the nationality, as ISO 3166 names it,
/// which is how the form takes it.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("India", "Mumbai"),
    ("Nigeria", "Lagos"),
    ("Philippines", "Manila"),
    ("Pakistan", "Lahore"),
    ("China", "Shanghai"),
    ("United States of America", "Chicago"),
    ("Brazil", "São Paulo"),
    ("Zimbabwe", "Harare"),
    ("Ghana", "Accra"),
    ("South Africa", "Johannesburg"),
    ("Viet Nam", "Hà Nội"),
    ("Turkey", "İstanbul"),
    ("Mexico", "Ciudad de México"),
    ("Japan", "Tōkyō"),
    ("Korea (Republic of)", "Seoul"),
    ("Australia", "Sydney"),
    ("Canada", "Montréal"),
    ("Egypt", "Cairo"),
    ("Kenya", "Nairobi"),
    ("Bangladesh", "Dhaka"),
    ("Nepal", "Kathmandu"),
    ("Sri Lanka", "Colombo"),
    ("Ukraine", "Kyiv"),
    ("Colombia", "Bogotá"),
    ("Argentina", "Córdoba"),
    ("Jamaica", "Kingston"),
    ("Malaysia", "Kuala Lumpur"),
    ("New Zealand", "Auckland"),
];

/// (town, county, postcode outward code)
pub const TOWNS: &[(&str, &str, &str)] = &[
    ("Manchester", "Greater Manchester", "M1"),
    ("Birmingham", "West Midlands", "B3"),
    ("Leeds", "West Yorkshire", "LS1"),
    ("Bristol", "", "BS1"),
    ("Newcastle upon Tyne", "Tyne and Wear", "NE1"),
    ("Glasgow", "", "G2"),
    ("Edinburgh", "", "EH1"),
    ("Cardiff", "", "CF10"),
    ("Belfast", "County Antrim", "BT1"),
    ("London", "", "EC1A"),
    ("London", "", "SW1A"),
    ("Sheffield", "South Yorkshire", "S1"),
    ("Nottingham", "Nottinghamshire", "NG1"),
    ("Southampton", "Hampshire", "SO14"),
    ("Norwich", "Norfolk", "NR2"),
    ("Aberdeen", "Aberdeenshire", "AB10"),
    ("Milton Keynes", "Buckinghamshire", "MK9"),
    ("Reading", "Berkshire", "RG1"),
    ("Cambridge", "Cambridgeshire", "CB2"),
    ("Swansea", "", "SA1"),
];

pub const STREETS: &[&str] = &[
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "King's Road",
    "Queen Street", "Market Place", "Park Avenue", "St Mary's Way", "Bridge Street", "Albert Quay",
];

pub const SITE_NAMES: &[&str] = &[
    "Head office", "Main works", "North depot", "Riverside site", "Training centre",
    "Distribution hub", "Research lab", "City branch", "Care home", "Clinic", "Workshop",
    "Warehouse", "Regional office",
];

/// (job title, SOC 2020 code, typical gross annual salary in pounds)
pub const JOBS: &[(&str, &str, u32)] = &[
    ("Software developer", "2134", 52_000),
    ("Civil engineer", "2121", 45_000),
    ("Mechanical engineer", "2122", 44_000),
    ("Electrical engineer", "2123", 46_000),
    ("Care worker", "6135", 25_000),
    ("Registered nurse", "2231", 33_000),
    ("Chef", "5434", 31_000),
    ("Data analyst", "3544", 38_000),
    ("Welder", "5213", 30_000),
    ("Management consultant", "2431", 60_000),
    ("Research scientist", "2119", 41_000),
    ("Secondary school teacher", "2314", 37_000),
    ("Minister of religion", "2463", 27_000),
    ("Professional footballer", "3411", 90_000),
    ("Musician", "3415", 29_000),
    ("Fruit picker", "9111", 23_000),
];

pub const SPONSOR_WORDS_A: &[&str] = &[
    "Northern", "Harbour", "Summit", "Riverside", "Crown", "Pennine", "Thames", "Highland",
    "Atlas", "Meridian", "Oak", "Beacon", "Granite", "Silverline", "Union", "Kestrel",
];

pub const SPONSOR_WORDS_B: &[&str] = &[
    "Engineering", "Care", "Logistics", "Software", "Health", "Foods", "Construction",
    "Consulting", "Hospitality", "Energy", "Farms", "Education", "Arts", "Sports",
];

pub const SPONSOR_SUFFIX: &[&str] = &["Ltd", "plc", "LLP", "Group Ltd", "Trust", "UK Ltd"];

pub const ACTIVITY_DETAILS: &[&str] = &[
    "Reported after a review of the worker's records.",
    "The worker told their line manager in writing; a copy is kept on file.",
    "HR confirmed the change with the worker on the date given.",
    "The worker's contract was updated and signed by both parties.",
    "Reported by the Authorising Officer following a compliance check.",
];

pub const NOTES: &[&str] = &[
    "Right to work check completed.",
    "Original documents seen and copied.",
    "Worker's start date agreed with the hiring manager.",
    "Salary meets the going rate for the occupation code.",
    "Allocation request approved by the Authorising Officer.",
];
