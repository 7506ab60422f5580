import Testing
@testable import HawsCore

@Suite struct CSVReaderTests {
    @Test func plainFieldsAndTrailingComma() {
        #expect(CSVReader.records("a,b,c,\n1,2,3,\n") == [["a", "b", "c", ""], ["1", "2", "3", ""]])
    }

    @Test func quotedCommaQuoteAndNewline() {
        let text = "x,\"Layer7, wrong\",\"say \"\"hi\"\"\",\"line1\nline2\",end\n"
        #expect(CSVReader.records(text) == [["x", "Layer7, wrong", "say \"hi\"", "line1\nline2", "end"]])
    }

    @Test func crlfAndBlankLines() {
        #expect(CSVReader.records("a,b\r\n\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
    }

    @Test func unterminatedQuoteEndsAtEndOfInput() {
        #expect(CSVReader.records("a,\"open\nrest") == [["a", "open\nrest"]])
    }

    @Test func invalidUTF8IsRepairedNotFatal() {
        let bytes: [UInt8] = [0x61, 0x2C, 0xFF, 0xFE, 0x0A]
        let records = bytes.withUnsafeBufferPointer { CSVReader.records(bytes: $0) }
        #expect(records.count == 1)
        #expect(records[0][0] == "a")
        #expect(records[0][1].unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
    }

    @Test func emptyInput() {
        #expect(CSVReader.records("").isEmpty)
    }
}
