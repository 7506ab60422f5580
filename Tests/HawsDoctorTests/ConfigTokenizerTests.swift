import HawsDoctor
import Testing

@Suite struct ConfigTokenizerTests {
    func words(_ line: String, _ environment: [String: String] = [:]) -> [String] {
        ConfigTokenizer.tokenize(line[...], environment: environment).words
    }

    @Test func splitsOnSpacesAndTabsAndStopsAtComments() {
        #expect(words("  timeout\tclient  50s # the guide's value") == ["timeout", "client", "50s"])
        #expect(words("# only a comment").isEmpty)
    }

    @Test func escapesOutsideQuotes() {
        #expect(words(##"log-format %t\ %s\#x"##) == ["log-format", "%t %s#x"])
        #expect(words(#"a\\b \x41 \"q\""#) == [#"a\b"#, "A", #""q""#])
    }

    @Test func weakQuotesExpandVariablesStrongQuotesDoNot() {
        let env = ["PORT": "8080", "LIST": "a b"]
        #expect(words(#"bind "127.0.0.1:${PORT}" '${PORT}' $PORT"#, env) == ["bind", "127.0.0.1:8080", "${PORT}", "$PORT"])
        #expect(words(#"x "${MISSING-9090}" "$PORT""#, env) == ["x", "9090", "8080"])
        #expect(words(#"x "${LIST[*]}""#, env) == ["x", "a", "b"])
        let line = ConfigTokenizer.tokenize(#"x "${NOPE}""#[...], environment: env)
        #expect(line.undefinedVariables == ["NOPE"])
        #expect(line.words == ["x", ""])
    }

    @Test func quotesKeepSpacesAndHashes() {
        #expect(words(#"stats auth "user:pa ss#1""#) == ["stats", "auth", "user:pa ss#1"])
        #expect(words(#"a "b"'c' d"#) == ["a", "bc", "d"])
        #expect(ConfigTokenizer.tokenize(#"a "open"#[...], environment: [:]).unterminatedQuote)
    }
}
