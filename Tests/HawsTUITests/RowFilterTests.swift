import Testing

@testable import HawsTUI

/// The `/` filter's verdicts, asked once and again (the second answer comes from the kept verdicts).
@Suite struct RowFilterTests {
    @Test func verdictsAreTheSameWhenAskedAgain() throws {
        let names = ["ws_chat/s1", "WS_CHAT/s2", "ws_feed/f1", "http_api/a1", "ws_chat/s10"]
        let filter = try #require(try RowFilter("ws_chat/s1"))
        let inverted = try #require(try RowFilter("!ws_chat"))
        let caseSensitive = try #require(try RowFilter("WS_"))
        for _ in 0..<2 {
            #expect(names.map(filter.keeps) == [true, false, false, false, true])
            #expect(names.map(inverted.keeps) == [false, false, true, true, false])
            #expect(names.map(caseSensitive.keeps) == [false, true, false, false, false])
        }
    }

    @Test func emptyPatternIsNoFilter() throws {
        #expect(try RowFilter("") == nil)
        #expect(try RowFilter("!") == nil)
    }
}
