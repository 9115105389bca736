package dev.lakehouse.validatord.roster;

import java.util.List;

/**
 * The word lists behind the synthetic roster: US cities with their real
 * downtown coordinates, a ZIP code and area code there; common first and last
 * names; the roles a staffing business fills, each with a typical hourly rate
 * and the skills that go with it.
 */
final class SyntheticData {
    private SyntheticData() {
    }

    record City(String name, String state, double lat, double lon, String zip, String areaCode) {
    }

    record Role(String name, double baseRate, List<String> skills) {
    }

    static final List<City> CITIES = List.of(
            new City("New York", "NY", 40.7128, -74.0060, "10001", "212"),
            new City("Los Angeles", "CA", 34.0522, -118.2437, "90012", "213"),
            new City("Chicago", "IL", 41.8781, -87.6298, "60601", "312"),
            new City("Houston", "TX", 29.7604, -95.3698, "77002", "713"),
            new City("Phoenix", "AZ", 33.4484, -112.0740, "85003", "602"),
            new City("Philadelphia", "PA", 39.9526, -75.1652, "19103", "215"),
            new City("San Antonio", "TX", 29.4241, -98.4936, "78205", "210"),
            new City("San Diego", "CA", 32.7157, -117.1611, "92101", "619"),
            new City("Dallas", "TX", 32.7767, -96.7970, "75201", "214"),
            new City("San Jose", "CA", 37.3382, -121.8863, "95113", "408"),
            new City("Austin", "TX", 30.2672, -97.7431, "78701", "512"),
            new City("Jacksonville", "FL", 30.3322, -81.6557, "32202", "904"),
            new City("Fort Worth", "TX", 32.7555, -97.3308, "76102", "817"),
            new City("Columbus", "OH", 39.9612, -82.9988, "43215", "614"),
            new City("Charlotte", "NC", 35.2271, -80.8431, "28202", "704"),
            new City("Indianapolis", "IN", 39.7684, -86.1581, "46204", "317"),
            new City("Seattle", "WA", 47.6062, -122.3321, "98101", "206"),
            new City("Denver", "CO", 39.7392, -104.9903, "80202", "303"),
            new City("Nashville", "TN", 36.1627, -86.7816, "37203", "615"),
            new City("Oklahoma City", "OK", 35.4676, -97.5164, "73102", "405"),
            new City("El Paso", "TX", 31.7619, -106.4850, "79901", "915"),
            new City("Boston", "MA", 42.3601, -71.0589, "02108", "617"),
            new City("Portland", "OR", 45.5152, -122.6784, "97204", "503"),
            new City("Las Vegas", "NV", 36.1699, -115.1398, "89101", "702"),
            new City("Detroit", "MI", 42.3314, -83.0458, "48226", "313"),
            new City("Memphis", "TN", 35.1495, -90.0490, "38103", "901"),
            new City("Louisville", "KY", 38.2527, -85.7585, "40202", "502"),
            new City("Baltimore", "MD", 39.2904, -76.6122, "21202", "410"),
            new City("Milwaukee", "WI", 43.0389, -87.9065, "53202", "414"),
            new City("Albuquerque", "NM", 35.0844, -106.6504, "87102", "505"),
            new City("Tucson", "AZ", 32.2226, -110.9747, "85701", "520"),
            new City("Fresno", "CA", 36.7378, -119.7871, "93721", "559"),
            new City("Sacramento", "CA", 38.5816, -121.4944, "95814", "916"),
            new City("Kansas City", "MO", 39.0997, -94.5786, "64106", "816"),
            new City("Atlanta", "GA", 33.7490, -84.3880, "30303", "404"),
            new City("Omaha", "NE", 41.2565, -95.9345, "68102", "402"),
            new City("Raleigh", "NC", 35.7796, -78.6382, "27601", "919"),
            new City("Miami", "FL", 25.7617, -80.1918, "33130", "305"),
            new City("Minneapolis", "MN", 44.9778, -93.2650, "55401", "612"),
            new City("Tulsa", "OK", 36.1540, -95.9928, "74103", "918"),
            new City("Cleveland", "OH", 41.4993, -81.6944, "44113", "216"),
            new City("Cincinnati", "OH", 39.1031, -84.5120, "45202", "513"),
            new City("Dayton", "OH", 39.7589, -84.1916, "45402", "937"),
            new City("Toledo", "OH", 41.6528, -83.5379, "43604", "419"),
            new City("Pittsburgh", "PA", 40.4406, -79.9959, "15222", "412"),
            new City("St. Louis", "MO", 38.6270, -90.1994, "63101", "314"),
            new City("Tampa", "FL", 27.9506, -82.4572, "33602", "813"),
            new City("Orlando", "FL", 28.5383, -81.3792, "32801", "407"),
            new City("Salt Lake City", "UT", 40.7608, -111.8910, "84101", "801"),
            new City("Reno", "NV", 39.5296, -119.8138, "89501", "775"),
            new City("Boise", "ID", 43.6150, -116.2023, "83702", "208"),
            new City("Birmingham", "AL", 33.5186, -86.8104, "35203", "205"),
            new City("Richmond", "VA", 37.5407, -77.4360, "23219", "804"),
            new City("Buffalo", "NY", 42.8864, -78.8784, "14202", "716"),
            new City("Grand Rapids", "MI", 42.9634, -85.6681, "49503", "616"),
            new City("Knoxville", "TN", 35.9606, -83.9207, "37902", "865"),
            new City("Lexington", "KY", 38.0406, -84.5037, "40507", "859"),
            new City("Des Moines", "IA", 41.5868, -93.6250, "50309", "515"),
            new City("Spokane", "WA", 47.6588, -117.4260, "99201", "509"),
            new City("Allentown", "PA", 40.6084, -75.4902, "18101", "610"));

    static final List<String> FIRST_NAMES = List.of(
            "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
            "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
            "Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
            "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
            "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie",
            "Jose", "Maria", "Luis", "Carmen", "Carlos", "Rosa", "Juan", "Ana", "Miguel", "Sofia",
            "Jamal", "Aaliyah", "Darnell", "Imani", "Tyrone", "Keisha", "Wei", "Mei", "Minh", "Linh",
            "Raj", "Priya", "Ahmed", "Fatima", "Olga", "Ivan", "Kwame", "Ama", "Diego", "Lucia");

    static final List<String> LAST_NAMES = List.of(
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
            "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
            "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
            "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
            "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
            "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
            "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
            "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
            "Patel", "Chen", "Wang", "Singh", "Okafor", "Kowalski", "Novak", "Ivanova", "Tran", "Le");

    static final List<Role> ROLES = List.of(
            new Role("forklift operator", 19.50, List.of("forklift certified", "reach truck", "osha-10", "rf scanner")),
            new Role("warehouse associate", 17.00, List.of("rf scanner", "pallet jack", "inventory", "shipping")),
            new Role("picker packer", 16.25, List.of("rf scanner", "packing", "pallet jack", "quality check")),
            new Role("order selector", 18.00, List.of("voice picking", "pallet jack", "rf scanner", "cold storage")),
            new Role("material handler", 17.25, List.of("pallet jack", "forklift certified", "inventory", "lifting 50 lb")),
            new Role("loader unloader", 16.75, List.of("lifting 50 lb", "pallet jack", "trailer loading")),
            new Role("shipping and receiving clerk", 18.25, List.of("inventory", "shipping", "bill of lading", "rf scanner")),
            new Role("inventory clerk", 17.50, List.of("inventory", "cycle counting", "excel", "rf scanner")),
            new Role("machine operator", 19.00, List.of("machine setup", "quality check", "blueprint reading", "osha-10")),
            new Role("production worker", 16.50, List.of("assembly", "quality check", "packaging", "lifting 50 lb")),
            new Role("assembler", 17.00, List.of("assembly", "hand tools", "blueprint reading", "soldering")),
            new Role("packaging operator", 16.75, List.of("packaging", "machine setup", "quality check")),
            new Role("quality inspector", 20.50, List.of("quality check", "calipers", "blueprint reading", "iso 9001")),
            new Role("welder", 24.00, List.of("mig welding", "tig welding", "blueprint reading", "aws certified")),
            new Role("cnc machinist", 25.50, List.of("cnc programming", "calipers", "blueprint reading", "machine setup")),
            new Role("maintenance technician", 26.00, List.of("electrical", "hydraulics", "plc", "preventive maintenance")),
            new Role("electrician", 29.00, List.of("electrical", "conduit", "osha-30", "journeyman license")),
            new Role("hvac technician", 27.00, List.of("epa 608", "refrigeration", "electrical", "troubleshooting")),
            new Role("general laborer", 16.00, List.of("lifting 50 lb", "hand tools", "cleanup", "osha-10")),
            new Role("construction laborer", 18.50, List.of("osha-10", "hand tools", "concrete", "flagging")),
            new Role("cdl driver", 27.50, List.of("cdl class a", "hazmat", "dot medical card", "eld")),
            new Role("delivery driver", 18.75, List.of("clean driving record", "route planning", "customer service")),
            new Role("janitor", 15.50, List.of("floor care", "cleaning chemicals", "trash removal")),
            new Role("housekeeper", 15.25, List.of("cleaning chemicals", "laundry", "room turnover")),
            new Role("line cook", 17.50, List.of("food handler card", "grill", "prep", "knife skills")),
            new Role("dishwasher", 14.75, List.of("food handler card", "sanitation", "dish machine")),
            new Role("customer service representative", 18.00, List.of("customer service", "crm", "typing 40 wpm", "bilingual")),
            new Role("data entry clerk", 17.00, List.of("typing 60 wpm", "excel", "10-key", "accuracy")),
            new Role("administrative assistant", 19.50, List.of("excel", "scheduling", "microsoft office", "phones")),
            new Role("receptionist", 16.50, List.of("phones", "scheduling", "customer service", "bilingual")),
            new Role("security guard", 17.25, List.of("guard card", "patrol", "report writing", "cpr")),
            new Role("landscaper", 16.75, List.of("mowing", "irrigation", "hand tools", "pesticide license")));
}
