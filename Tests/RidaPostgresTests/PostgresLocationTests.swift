import RidaPostgres
import RidaSurvey
import Testing

@Suite struct PostgresLocationTests {
    @Test func readsUserPasswordHostPortAndDatabase() throws {
        let location = try PostgresLocation(url: "postgres://rida:s3cret@db.example:6543/survey")
        #expect(location == PostgresLocation(user: "rida", password: "s3cret", host: "db.example", port: 6543, database: "survey"))
        // The password never shows.
        #expect(location.description == "postgres://rida@db.example:6543/survey")
    }

    @Test func thePortIs5432WhenNotGivenAndPostgresqlIsTheSameScheme() throws {
        let location = try PostgresLocation(url: "postgresql://rida@127.0.0.1/rida?sslmode=disable")
        #expect(location.port == 5432)
        #expect(location.password == nil)
        #expect(PostgresLocation.isPostgresURL("postgres://x") && !PostgresLocation.isPostgresURL("rida.sqlite"))
    }

    @Test(arguments: [
        ("rida.sqlite", "it does not start with postgres://"),
        ("postgres://127.0.0.1:5432/rida", "it names no user"),
        ("postgres://rida@127.0.0.1:5432", "it names no database"),
        ("postgres://rida@127.0.0.1:5432/", "it names no database"),
        ("postgres://rida@127.0.0.1:5432/rida?sslmode=require", "only sslmode=disable"),
    ])
    func aURLThatCannotBeUsedSaysWhy(url: String, reason: String) {
        let failure = #expect(throws: PostgresURLError.self) { try PostgresLocation(url: url) }
        #expect(failure?.kind == .invalid && failure?.code == "database_url_invalid")
        #expect(failure?.description.contains(reason) == true, "\(failure?.description ?? "")")
    }

    @Test func theSentenceOfABadURLLeavesItsPasswordOut() {
        let error = PostgresURLError(url: "postgres://rida:s3cret@host/", reason: "it names no database")
        #expect(error.description == "The database URL postgres://rida:…@host/ cannot be used: it names no database.")
    }
}
