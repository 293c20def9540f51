"""Word lists for the district generator (fictional people and places). No Django."""

FEMALE_FIRST = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy "
    "Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa "
    "Deborah Stephanie Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda "
    "Emma Anna Pamela Nicole Samantha Katherine Christine Helen Debra Rachel Carolyn Janet "
    "Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly "
    "Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison "
    "Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy Isabella "
    "Julia Grace Amber Denise Danielle Marilyn Beverly Charlotte Natalie Theresa Diana "
    "Brittany Doris Kayla Alexis Lori Marie Aaliyah Ximena Guadalupe Mai Huong Fatima Amina "
    "Priya Ananya Leilani Siobhan Zoë Chloé Renée"
).split()

MALE_FIRST = (
    "James Robert John Michael David William Richard Joseph Thomas Christopher Charles "
    "Daniel Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian "
    "George Timothy Ronald Jason Edward Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan "
    "Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank "
    "Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter "
    "Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl "
    "Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan "
    "Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph Bobby Russell Bradley "
    "Philip Eugene Mohamed Abdi Tuan Minh Kwame Raj Arjun Hiroshi Mateo Santiago Luis "
    "Jean-Luc José Seán"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell "
    "Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson "
    "Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross "
    "Foster Jimenez Olson Johansson Lindqvist Vang Xiong Yang Her Lor Moua Hassan Ali Omar "
    "Abdullahi Tran Pham Le O'Brien O'Connor McDonald MacLeod "
    "Smith-Jones García-López Nowak Kowalski Schmidt Müller Novák Sørensen"
).split() + ["Van Der Berg", "De La Cruz", "St. John"]

STREET_NAMES = (
    "Lexington Main Oak Maple Cedar Pine Elm Washington Lake Hill Park Sunset Highland "
    "Jefferson Lincoln Madison Adams Franklin Jackson Ridge River Meadow Forest Spring "
    "Birch Willow Aspen Center Church Mill Prairie Valley Cherry Walnut Hickory Sycamore "
    "Poplar Spruce Dogwood Magnolia Lakeview Ridgeway Fairview Greenwood Brookside "
    "Cloverleaf Timber Harbor Eagle Falcon Heron Cardinal Bluebird Orchard Summit "
    "Northwood University College Garfield Harding Roosevelt Kennedy Polk Tyler Grant "
    "Sherman Hayes Monroe Pleasant Country Club Old Mill Stone Gate Fox Run Deer Trail"
).split()
NUMBERED_STREETS = [
    "1st",
    "2nd",
    "3rd",
    "4th",
    "5th",
    "6th",
    "7th",
    "8th",
    "9th",
    "10th",
    "11th",
    "12th",
    "21st",
    "42nd",
    "53rd",
    "85th",
    "93rd",
    "101st",
    "109th",
    "117th",
    "125th",
    "129th",
]
# (canonical, the ways people write it)
STREET_TAGS = [
    ("Ave", ["Ave", "Avenue", "AVE", "Ave.", "Av"]),
    ("St", ["St", "Street", "ST", "St."]),
    ("Rd", ["Rd", "Road", "RD"]),
    ("Dr", ["Dr", "Drive", "DR", "Dr."]),
    ("Ln", ["Ln", "Lane", "LN"]),
    ("Ct", ["Ct", "Court", "CT"]),
    ("Blvd", ["Blvd", "Boulevard", "BLVD"]),
    ("Way", ["Way", "WAY"]),
    ("Pkwy", ["Pkwy", "Parkway"]),
    ("Cir", ["Cir", "Circle"]),
    ("Trl", ["Trl", "Trail"]),
    ("Pl", ["Pl", "Place"]),
    ("Gdns", ["Gdns", "Gardens"]),
]
DIRECTIONS = [
    ("N", ["N", "North", "N."]),
    ("S", ["S", "South", "S."]),
    ("E", ["E", "East"]),
    ("W", ["W", "West"]),
    ("NE", ["NE", "Northeast", "N.E."]),
    ("NW", ["NW", "Northwest", "N.W."]),
    ("SE", ["SE", "Southeast"]),
    ("SW", ["SW", "Southwest"]),
]
# (city, county, zip codes)
CITIES = [
    ("Blaine", "Anoka", ["55434", "55449", "55014"]),
    ("Coon Rapids", "Anoka", ["55433", "55448"]),
    ("Andover", "Anoka", ["55304"]),
    ("Ham Lake", "Anoka", ["55304"]),
    ("Lino Lakes", "Anoka", ["55014", "55038"]),
    ("Anoka", "Anoka", ["55303"]),
    ("Ramsey", "Anoka", ["55303"]),
    ("Champlin", "Hennepin", ["55316"]),
    ("Spring Lake Park", "Anoka", ["55432"]),
    ("Fridley", "Anoka", ["55432", "55421"]),
]
SCHOOL_NAME_WORDS = (
    "Jefferson Lincoln Roosevelt Washington Franklin Madison Kennedy Adams Monroe Jackson "
    "Riverview Lakeside Oak Grove Meadowbrook Northdale Sand Creek Eisenhower Hamilton "
    "Crooked Lake Evergreen Hoover Morris Bye Monroe Rum River Sunrise Valley View "
    "Ramsey Champlin Andover Blaine Coon Rapids Oxbow Creek Mississippi Johnsville"
).split()

# (code, name, OneRoster role): state-defined assignment codes.
ASSIGNMENT_CODES = [
    ("01", "Superintendent", "districtAdministrator"),
    ("02", "Assistant Superintendent", "districtAdministrator"),
    ("10", "Principal", "principal"),
    ("11", "Assistant Principal", "siteAdministrator"),
    ("20", "Classroom Teacher", "teacher"),
    ("21", "Special Education Teacher", "teacher"),
    ("22", "Substitute Teacher", "teacher"),
    ("23", "Library Media Specialist", "teacher"),
    ("30", "Counselor", "counselor"),
    ("31", "School Psychologist", "counselor"),
    ("40", "Paraprofessional", "aide"),
    ("41", "Instructional Aide", "aide"),
    ("60", "School Nurse", "administrator"),
    ("70", "Technology Coordinator", "systemAdministrator"),
    ("80", "Office Administrator", "administrator"),
    ("90", "Test Proctor", "proctor"),
]

# (description, assignment code, school kinds it appears at, weight): district titles.
TITLES = [
    ("Kindergarten Teacher", "20", ("elementary",), 6),
    ("Grade 1 Teacher", "20", ("elementary",), 6),
    ("Grade 2 Teacher", "20", ("elementary",), 6),
    ("Grade 3 Teacher", "20", ("elementary",), 6),
    ("Grade 4 Teacher", "20", ("elementary",), 6),
    ("Grade 5 Teacher", "20", ("elementary",), 6),
    ("Math Teacher", "20", ("middle", "high"), 7),
    ("English Teacher", "20", ("middle", "high"), 7),
    ("Science Teacher", "20", ("middle", "high"), 6),
    ("Social Studies Teacher", "20", ("middle", "high"), 5),
    ("Spanish Teacher", "20", ("middle", "high"), 2),
    ("Art Teacher", "20", ("elementary", "middle", "high"), 2),
    ("Music Teacher", "20", ("elementary", "middle", "high"), 2),
    ("Physical Education Teacher", "20", ("elementary", "middle", "high"), 3),
    ("Special Education Teacher", "21", ("elementary", "middle", "high"), 6),
    ("Substitute Teacher", "22", ("elementary", "middle", "high"), 3),
    ("Media Specialist", "23", ("elementary", "middle", "high"), 1),
    ("Paraprofessional", "40", ("elementary", "middle", "high"), 9),
    ("Instructional Aide", "41", ("elementary", "middle"), 4),
    ("Principal", "10", ("elementary", "middle", "high"), 1),
    ("Assistant Principal", "11", ("middle", "high"), 1),
    ("Counselor", "30", ("middle", "high"), 2),
    ("School Psychologist", "31", ("elementary", "middle", "high"), 1),
    ("School Nurse", "60", ("elementary", "middle", "high"), 1),
    ("Technology Coordinator", "70", ("office",), 1),
    ("Office Manager", "80", ("office", "elementary", "middle", "high"), 2),
    ("Superintendent", "01", ("office",), 0),
    ("Assistant Superintendent", "02", ("office",), 0),
    ("Test Proctor", "90", ("middle", "high"), 1),
]
# Extra positions held beside a main one: title only (no state code) or a teacher code.
EXTRA_TITLES = [
    "Varsity Basketball",
    "Varsity Football",
    "JV Volleyball",
    "Head Track Coach",
    "Debate Advisor",
    "Robotics Club Advisor",
    "Summer School Teacher",
    "Yearbook Advisor",
]
