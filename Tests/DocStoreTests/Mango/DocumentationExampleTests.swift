import Testing
@testable import DocStore

/// The example selectors of CouchDB 3.4's `/{db}/_find` documentation, run against a small
/// movie database; each lists the ids it must match.
@Suite struct DocumentationExampleTests {
    static let documents = [
        #"{"_id": "dogville", "director": "Lars von Trier", "year": 2003, "title": "Dogville", "imdb": {"rating": 8}}"#,
        #"{"_id": "antichrist", "director": "Lars von Trier", "year": 2009, "imdb": {"rating": 6.6}}"#,
        #"{"_id": "starwars", "director": "George Lucas", "year": 1977, "imdb": {"rating": 8.6}}"#,
        #"{"_id": "encounters", "director": "Steven Spielberg", "year": 1977}"#,
        #"{"_id": "annie", "director": "Woody Allen", "year": 1977}"#,
        #"{"_id": "recall", "title": "Total Recall", "year": 1991, "cast": ["Arnold Schwarzenegger"]}"#,
        #"{"_id": "recall2", "title": "Total Recall", "year": 2012}"#,
        #"{"_id": "liveanddie", "title": "Live And Let Die", "year": 1973}"#,
        #"{"_id": "y1901", "year": 1901, "genre": ["Comedy", "Short"]}"#,
        #"{"_id": "y1902", "year": 1902, "genre": ["Short"]}"#,
        #"{"_id": "y1903", "year": 1903, "genre": ["Comedy", "Short", "Sci-Fi"]}"#,
        #"{"_id": "y1905", "year": 1905}"#, #"{"_id": "y1908", "year": 1908}"#,
        #"{"_id": "horror1", "year": 2014, "genre": ["Horror"]}"#,
        #"{"_id": "horror2", "year": 2015, "genre": ["Horror", "Comedy"], "cameras": {"primary": 1, "secondary": 2}}"#,
        #"{"_id": "cams", "year": 2016, "cameras": {"main": 1}}"#,
        #"{"_id": "paul", "name": "Paul", "location": "Boston"}"#, #"{"_id": "paul2", "name": "Paul", "location": "Paris"}"#,
        #"{"_id": "a1", "afieldname": "Apple", "status": "archived"}"#, #"{"_id": "a2", "afieldname": "apple", "status": "active"}"#,
        #"{"_id": "deniro", "Actor_name": "Robert De Niro", "Movie_year": 1976}"#,
    ]

    static let examples: [(String, [String])] = [
        (#"{"year": {"$gt": 2010}}"#, ["recall2", "horror1", "horror2", "cams"]),
        (#"{"director": "Lars von Trier"}"#, ["dogville", "antichrist"]),
        (#"{"director": {"$eq": "Lars von Trier"}}"#, ["dogville", "antichrist"]),
        (#"{"title": "Live And Let Die"}"#, ["liveanddie"]),
        (#"{"name": "Paul", "location": "Boston"}"#, ["paul"]),
        (#"{"imdb": {"rating": 8}}"#, ["dogville"]),
        (#"{"imdb.rating": 8}"#, ["dogville"]),
        (#"{"imdb": {"rating": {"$eq": 8}}}"#, ["dogville"]),
        (#"{"year": {"$eq": 2001}}"#, []),
        (#"{"director": "Lars von Trier", "year": 2003}"#, ["dogville"]),
        (#"{"$and": [{"director": {"$eq": "Lars von Trier"}}, {"year": {"$eq": 2003}}]}"#, ["dogville"]),
        (#"{"$and": [{"title": "Total Recall"}, {"year": {"$in": [1984, 1991]}}]}"#, ["recall"]),
        (#"{"$and": [{"_id": {"$gt": null}}, {"year": {"$in": [2014, 2015]}}]}"#, ["horror1", "horror2"]),
        (#"{"year": 1977, "$or": [{"director": "George Lucas"}, {"director": "Steven Spielberg"}]}"#,
         ["starwars", "encounters"]),
        (#"{"year": {"$gte": 1900, "$lte": 1903}, "$not": {"year": 1901}}"#, ["y1902", "y1903"]),
        (#"{"year": {"$gte": 1900, "$lte": 1910}, "$nor": [{"year": 1901}, {"year": 1905}, {"year": 1907}]}"#,
         ["y1902", "y1903", "y1908"]),
        (#"{"_id": {"$gt": null}, "genre": {"$all": ["Comedy", "Short"]}}"#, ["y1901", "y1903"]),
        (#"{"_id": {"$gt": null}, "genre": {"$elemMatch": {"$eq": "Horror"}}}"#, ["horror1", "horror2"]),
        (#"{"_id": {"$gt": null}, "genre": {"$allMatch": {"$eq": "Horror"}}}"#, ["horror1"]),
        (#"{"_id": {"$gt": null}, "cameras": {"$keyMapMatch": {"$eq": "secondary"}}}"#, ["horror2"]),
        (#"{"afieldname": {"$regex": "^A"}}"#, ["a1"]),
        (#"{"status": {"$ne": "archived"}}"#, ["a2"]),
        (#"{"Actor_name": "Robert De Niro"}"#, ["deniro"]),
        (#"{"_id": {"$gt": null}}"#, documents.map { doc in String(doc.split(separator: "\"")[3]) }),
    ]

    @Test(arguments: examples)
    func example(_ selector: String, _ ids: [String]) throws {
        let parsed = try Selector(json(selector))
        var matched: [String] = []
        for text in Self.documents {
            let doc = try json(text)
            if parsed.matches(doc), let id = doc["_id"]?.stringValue { matched.append(id) }
        }
        #expect(matched == ids)
    }
}
