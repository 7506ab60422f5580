import Testing

@testable import HawsCore

@Suite struct DurationParserTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("5s", .seconds(5)),
        ("2m", .seconds(120)),
        ("1h", .seconds(3600)),
        ("1m30s", .seconds(90)),
        ("1.5s", .milliseconds(1500)),
        (" 250ms\n", .milliseconds(250)),
        ("0s", .zero),
        ("100us", .microseconds(100)),
    ])
    func parsesUnits(text: String, expected: Duration) throws {
        #expect(try DurationParser.parse(text) == expected)
    }

    @Test(arguments: [
        ("", DurationParseError.Problem.empty),
        ("5", .missingUnit),
        ("-5s", .negative),
        ("5x", .unknownUnit("x")),
        ("5sec", .unknownUnit("sec")),
        ("s", .badNumber),
        ("1.2.3s", .badNumber),
        ("8d", .unknownUnit("d")),
        ("200h", .tooLarge),
    ])
    func rejectsWithAReason(text: String, problem: DurationParseError.Problem) {
        #expect(throws: DurationParseError(input: text, problem: problem)) {
            try DurationParser.parse(text)
        }
    }

    @Test func messagesSayWhatToWrite() {
        let error = DurationParseError(input: "5", problem: .missingUnit)
        #expect(error.description.contains("'5'"))
        #expect(error.description.contains("5s"))
        #expect(!error.description.contains("\n"))
    }

    @Test(arguments: [
        (Duration.seconds(5), "5s"),
        (.milliseconds(500), "500ms"),
        (.seconds(90), "1m30s"),
        (.seconds(3600), "1h"),
        (.milliseconds(1500), "1500ms"),
        (.zero, "0s"),
    ])
    func formatsShortAndRoundTrips(duration: Duration, text: String) throws {
        #expect(DurationParser.format(duration) == text)
        #expect(try DurationParser.parse(text) == duration)
    }
}
