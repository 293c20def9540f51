"""USPS Publication 28 tables, typed in by hand (USPS publishes no machine-readable table).

- Directionals (section 233): NORTH -> N ... NORTHWEST -> NW.
- Appendix C1, street suffixes: every primary name with its common abbreviations, mapped to
  the Postal Service standard abbreviation (AVENUE, AV, AVEN, AVENU, AVN, AVNUE -> AVE).
- Appendix C2, secondary unit designators (APARTMENT -> APT, SUITE -> STE ...), and which
  of them need a unit number after them (APT 4) and which stand alone (REAR, BSMT).
- State names and the USPS two-letter codes.

Every table is a plain dict built once at import; lookups are one dict access.
"""

from __future__ import annotations

DIRECTIONALS: dict[str, str] = {
    "N": "N",
    "NORTH": "N",
    "S": "S",
    "SOUTH": "S",
    "E": "E",
    "EAST": "E",
    "W": "W",
    "WEST": "W",
    "NE": "NE",
    "NORTHEAST": "NE",
    "NORTH EAST": "NE",
    "N E": "NE",
    "NW": "NW",
    "NORTHWEST": "NW",
    "NORTH WEST": "NW",
    "N W": "NW",
    "SE": "SE",
    "SOUTHEAST": "SE",
    "SOUTH EAST": "SE",
    "S E": "SE",
    "SW": "SW",
    "SOUTHWEST": "SW",
    "SOUTH WEST": "SW",
    "S W": "SW",
}

# Appendix C1: "PRIMARY NAME = STANDARD: other common spellings".
_C1 = """
ALLEY = ALY: ALLEE ALLY
ANEX = ANX: ANNEX ANNX
ARCADE = ARC:
AVENUE = AVE: AV AVEN AVENU AVN AVNUE
BAYOU = BYU: BAYOO
BEACH = BCH:
BEND = BND:
BLUFF = BLF: BLUF
BLUFFS = BLFS:
BOTTOM = BTM: BOT BOTTM
BOULEVARD = BLVD: BOUL BOULV
BRANCH = BR: BRNCH
BRIDGE = BRG: BRDGE
BROOK = BRK:
BROOKS = BRKS:
BURG = BG:
BURGS = BGS:
BYPASS = BYP: BYPA BYPAS BYPS
CAMP = CP: CMP
CANYON = CYN: CANYN CNYN
CAPE = CPE:
CAUSEWAY = CSWY: CAUSWA
CENTER = CTR: CEN CENT CENTR CENTRE CNTER CNTR
CENTERS = CTRS:
CIRCLE = CIR: CIRC CIRCL CRCL CRCLE
CIRCLES = CIRS:
CLIFF = CLF:
CLIFFS = CLFS:
CLUB = CLB:
COMMON = CMN:
COMMONS = CMNS:
CORNER = COR:
CORNERS = CORS:
COURSE = CRSE:
COURT = CT:
COURTS = CTS:
COVE = CV:
COVES = CVS:
CREEK = CRK:
CRESCENT = CRES: CRSENT CRSNT
CREST = CRST:
CROSSING = XING: CRSSNG
CROSSROAD = XRD:
CROSSROADS = XRDS:
CURVE = CURV:
DALE = DL:
DAM = DM:
DIVIDE = DV: DIV DVD
DRIVE = DR: DRIV DRV
DRIVES = DRS:
ESTATE = EST:
ESTATES = ESTS:
EXPRESSWAY = EXPY: EXP EXPR EXPRESS EXPW
EXTENSION = EXT: EXTN EXTNSN
EXTENSIONS = EXTS:
FALL = FALL:
FALLS = FLS:
FERRY = FRY: FRRY
FIELD = FLD:
FIELDS = FLDS:
FLAT = FLT:
FLATS = FLTS:
FORD = FRD:
FORDS = FRDS:
FOREST = FRST: FORESTS
FORGE = FRG: FORG
FORGES = FRGS:
FORK = FRK:
FORKS = FRKS:
FORT = FT: FRT
FREEWAY = FWY: FREEWY FRWAY FRWY
GARDEN = GDN: GARDN GRDEN GRDN
GARDENS = GDNS: GRDNS
GATEWAY = GTWY: GATEWY GATWAY GTWAY
GLEN = GLN:
GLENS = GLNS:
GREEN = GRN:
GREENS = GRNS:
GROVE = GRV: GROV
GROVES = GRVS:
HARBOR = HBR: HARB HARBR HRBOR
HARBORS = HBRS:
HAVEN = HVN:
HEIGHTS = HTS: HT
HIGHWAY = HWY: HIGHWY HIWAY HIWY HWAY
HILL = HL:
HILLS = HLS:
HOLLOW = HOLW: HLLW HOLLOWS HOLWS
INLET = INLT:
ISLAND = IS: ISLND
ISLANDS = ISS: ISLNDS
ISLE = ISLE: ISLES
JUNCTION = JCT: JCTION JCTN JUNCTN JUNCTON
JUNCTIONS = JCTS: JCTNS
KEY = KY:
KEYS = KYS:
KNOLL = KNL: KNOL
KNOLLS = KNLS:
LAKE = LK:
LAKES = LKS:
LAND = LAND:
LANDING = LNDG: LNDNG
LANE = LN:
LIGHT = LGT:
LIGHTS = LGTS:
LOAF = LF:
LOCK = LCK:
LOCKS = LCKS:
LODGE = LDG: LDGE LODG
LOOP = LOOP: LOOPS
MALL = MALL:
MANOR = MNR:
MANORS = MNRS:
MEADOW = MDW:
MEADOWS = MDWS: MEDOWS
MEWS = MEWS:
MILL = ML:
MILLS = MLS:
MISSION = MSN: MISSN MSSN
MOTORWAY = MTWY:
MOUNT = MT: MNT
MOUNTAIN = MTN: MNTAIN MNTN MOUNTIN MTIN
MOUNTAINS = MTNS: MNTNS
NECK = NCK:
ORCHARD = ORCH: ORCHRD
OVAL = OVAL: OVL
OVERPASS = OPAS:
PARK = PARK: PRK PARKS
PARKWAY = PKWY: PARKWY PKWAY PKY PARKWAYS PKWYS
PASS = PASS:
PASSAGE = PSGE:
PATH = PATH: PATHS
PIKE = PIKE: PIKES
PINE = PNE:
PINES = PNES:
PLACE = PL:
PLAIN = PLN:
PLAINS = PLNS:
PLAZA = PLZ: PLZA
POINT = PT:
POINTS = PTS:
PORT = PRT:
PORTS = PRTS:
PRAIRIE = PR: PRR
RADIAL = RADL: RAD RADIEL
RAMP = RAMP:
RANCH = RNCH: RANCHES RNCHS
RAPID = RPD:
RAPIDS = RPDS:
REST = RST:
RIDGE = RDG: RDGE
RIDGES = RDGS:
RIVER = RIV: RVR RIVR
ROAD = RD:
ROADS = RDS:
ROUTE = RTE:
ROW = ROW:
RUE = RUE:
RUN = RUN:
SHOAL = SHL:
SHOALS = SHLS:
SHORE = SHR: SHOAR
SHORES = SHRS: SHOARS
SKYWAY = SKWY:
SPRING = SPG: SPNG SPRNG
SPRINGS = SPGS: SPNGS SPRNGS
SPUR = SPUR: SPURS
SQUARE = SQ: SQR SQRE SQU
SQUARES = SQS: SQRS
STATION = STA: STATN STN
STRAVENUE = STRA: STRAV STRAVEN STRAVN STRVN STRVNUE
STREAM = STRM: STREME
STREET = ST: STRT STR
STREETS = STS:
SUMMIT = SMT: SUMIT SUMITT
TERRACE = TER: TERR
THROUGHWAY = TRWY:
TRACE = TRCE: TRACES
TRACK = TRAK: TRACKS TRK TRKS
TRAFFICWAY = TRFY:
TRAIL = TRL: TRAILS TRLS
TRAILER = TRLR: TRLRS
TUNNEL = TUNL: TUNEL TUNLS TUNNELS TUNNL
TURNPIKE = TPKE: TRNPK TURNPK
UNDERPASS = UPAS:
UNION = UN:
UNIONS = UNS:
VALLEY = VLY: VALLY VLLY
VALLEYS = VLYS:
VIADUCT = VIA: VDCT VIADCT
VIEW = VW:
VIEWS = VWS:
VILLAGE = VLG: VILL VILLAG VILLG VILLIAGE
VILLAGES = VLGS:
VILLE = VL:
VISTA = VIS: VIST VST VSTA
WALK = WALK: WALKS
WALL = WALL:
WAY = WAY: WY
WAYS = WAYS:
WELL = WL:
WELLS = WLS:
"""


def _build_c1() -> tuple[dict[str, str], dict[str, str]]:
    to_standard: dict[str, str] = {}
    full_name: dict[str, str] = {}
    for line in _C1.strip().splitlines():
        names, _, others = line.partition(":")
        primary, _, standard = (part.strip() for part in names.partition("="))
        full_name[standard] = primary
        for spelling in (primary, standard, *others.split()):
            to_standard[spelling] = standard
    # Spellings Pub 28 lists under two primaries resolve to the first that claims them
    # above; MDW is the one the table itself lists under MEADOWS, kept as MEADOW's here.
    return to_standard, full_name


# Any spelling -> standard abbreviation; standard abbreviation -> primary (full) name.
STREET_SUFFIXES, SUFFIX_FULL_NAMES = _build_c1()

# Words that open a street name before its name proper ("HWY 52", "CO RD 12", "AVE B"),
# spelled out so every spelling of the same road gives one name. Suffix words are
# spelled out through SUFFIX_FULL_NAMES; these are the extra words seen there.
PRE_TYPE_WORDS: dict[str, str] = {
    "CO": "COUNTY",
    "CNTY": "COUNTY",
    "CTY": "COUNTY",
    "ST": "STATE",
    "SR": "STATE ROUTE",
    "CR": "COUNTY ROAD",
    "FM": "FARM TO MARKET ROAD",
    "HWY": "HIGHWAY",
    "RTE": "ROUTE",
    "RT": "ROUTE",
}

# Appendix C2: designator -> standard abbreviation.
UNIT_DESIGNATORS: dict[str, str] = {
    "APARTMENT": "APT",
    "APT": "APT",
    "BASEMENT": "BSMT",
    "BSMT": "BSMT",
    "BUILDING": "BLDG",
    "BLDG": "BLDG",
    "DEPARTMENT": "DEPT",
    "DEPT": "DEPT",
    "FLOOR": "FL",
    "FL": "FL",
    "FRONT": "FRNT",
    "FRNT": "FRNT",
    "HANGAR": "HNGR",
    "HNGR": "HNGR",
    "KEY": "KEY",
    "LOBBY": "LBBY",
    "LBBY": "LBBY",
    "LOT": "LOT",
    "LOWER": "LOWR",
    "LOWR": "LOWR",
    "OFFICE": "OFC",
    "OFC": "OFC",
    "PENTHOUSE": "PH",
    "PH": "PH",
    "PIER": "PIER",
    "REAR": "REAR",
    "ROOM": "RM",
    "RM": "RM",
    "SIDE": "SIDE",
    "SLIP": "SLIP",
    "SPACE": "SPC",
    "SPC": "SPC",
    "STOP": "STOP",
    "SUITE": "STE",
    "STE": "STE",
    "TRAILER": "TRLR",
    "TRLR": "TRLR",
    "UNIT": "UNIT",
    "UPPER": "UPPR",
    "UPPR": "UPPR",
}

# C2 designators that need no unit number ("REAR", "BSMT"): for these the designator *is*
# the unit, so it stays in the match key (dropping it would merge "REAR" with the house).
UNITS_WITHOUT_NUMBER: frozenset[str] = frozenset(
    {"BSMT", "FRNT", "LBBY", "LOWR", "OFC", "PH", "REAR", "SIDE", "UPPR"}
)

STATES: dict[str, str] = {
    "ALABAMA": "AL",
    "ALASKA": "AK",
    "ARIZONA": "AZ",
    "ARKANSAS": "AR",
    "CALIFORNIA": "CA",
    "COLORADO": "CO",
    "CONNECTICUT": "CT",
    "DELAWARE": "DE",
    "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL",
    "GEORGIA": "GA",
    "HAWAII": "HI",
    "IDAHO": "ID",
    "ILLINOIS": "IL",
    "INDIANA": "IN",
    "IOWA": "IA",
    "KANSAS": "KS",
    "KENTUCKY": "KY",
    "LOUISIANA": "LA",
    "MAINE": "ME",
    "MARYLAND": "MD",
    "MASSACHUSETTS": "MA",
    "MICHIGAN": "MI",
    "MINNESOTA": "MN",
    "MISSISSIPPI": "MS",
    "MISSOURI": "MO",
    "MONTANA": "MT",
    "NEBRASKA": "NE",
    "NEVADA": "NV",
    "NEW HAMPSHIRE": "NH",
    "NEW JERSEY": "NJ",
    "NEW MEXICO": "NM",
    "NEW YORK": "NY",
    "NORTH CAROLINA": "NC",
    "NORTH DAKOTA": "ND",
    "OHIO": "OH",
    "OKLAHOMA": "OK",
    "OREGON": "OR",
    "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI",
    "SOUTH CAROLINA": "SC",
    "SOUTH DAKOTA": "SD",
    "TENNESSEE": "TN",
    "TEXAS": "TX",
    "UTAH": "UT",
    "VERMONT": "VT",
    "VIRGINIA": "VA",
    "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV",
    "WISCONSIN": "WI",
    "WYOMING": "WY",
    "AMERICAN SAMOA": "AS",
    "GUAM": "GU",
    "NORTHERN MARIANA ISLANDS": "MP",
    "PUERTO RICO": "PR",
    "VIRGIN ISLANDS": "VI",
    "ARMED FORCES AMERICAS": "AA",
    "ARMED FORCES EUROPE": "AE",
    "ARMED FORCES PACIFIC": "AP",
}
STATE_CODES: frozenset[str] = frozenset(STATES.values())
