import HawsTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import HawsCore

/// The C splitter under the stats CSV parser (16 bytes at a time) against a plain byte-by-byte split of the
/// same records: every kept cell's range, the record's end, and the refusal of records with a quote.
@Suite struct StatsRecordSplitterTests {
    /// What the splitter must find: the record's end (-1 with a quote before it) and each cell's range.
    static func reference(_ bytes: [UInt8], start: Int) -> (end: Int, cells: [Range<Int>]) {
        var cells: [Range<Int>] = []
        var cellStart = start
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return (-1, [])
            case UInt8(ascii: ","):
                cells.append(cellStart..<index)
                cellStart = index + 1
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                cells.append(cellStart..<index)
                return (index, cells)
            default: break
            }
            index += 1
        }
        cells.append(cellStart..<index)
        return (index, cells)
    }

    /// Runs the splitter with `slots` (position -> column, -1 unkept) and returns the end and the ranges by column.
    static func split(_ bytes: [UInt8], start: Int, columns: [Int], columnCount: Int) -> (end: Int, ranges: [Int]) {
        let scratch = 2 * columnCount
        let slots = columns.map { $0 >= 0 ? 2 * $0 : scratch }
        let lastKnown = columns.lastIndex { $0 >= 0 } ?? -1
        var ranges = [Int](repeating: -1, count: scratch + 2)
        let end = bytes.withUnsafeBufferPointer { input in
            slots.withUnsafeBufferPointer { slotAt in
                ranges.withUnsafeMutableBufferPointer { output in
                    StatsCSVParser.scanPlainRecord(
                        input.baseAddress!, input.count, start, slotAt.baseAddress!, lastKnown, output.baseAddress!)
                }
            }
        }
        return (end, Array(ranges[0..<scratch]))
    }

    @Test func agreesWithAByteByByteSplitOnRandomRecords() {
        var generator = SeededRandom(seed: 0x5B11)
        let replay = generator.replay
        let alphabet = Array("0123456789abcUP ,,,,,,,,\n\r\"".utf8)
        for _ in 0..<5_000 {
            // Records of every length around the 16-byte blocks, some after a previous record.
            let prefix = Bool.random(using: &generator) ? Array("x,y,z\n".utf8) : []
            var bytes = prefix
            for _ in 0..<Int.random(in: 0..<120, using: &generator) {
                let rare = Int.random(in: 0..<40, using: &generator)
                bytes.append(rare < 38 ? alphabet[Int.random(in: 0..<24, using: &generator)] : alphabet.randomElement(using: &generator)!)
            }
            if Bool.random(using: &generator) { bytes += Array("\nnext,row\n".utf8) }
            bytes += [UInt8](repeating: UInt8(ascii: "9"), count: Int.random(in: 0..<3, using: &generator))
            let columnCount = 12
            let columns = (0..<Int.random(in: 1..<30, using: &generator)).map { _ in
                Int.random(in: -1..<columnCount, using: &generator)
            }
            // Each column at most once, as a header maps them.
            var seen = Set<Int>()
            let unique = columns.map { column in column >= 0 && seen.insert(column).inserted ? column : -1 }

            let expected = Self.reference(bytes, start: prefix.count)
            let actual = Self.split(bytes, start: prefix.count, columns: unique, columnCount: columnCount)
            #expect(actual.end == expected.end, "\(replay): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            guard expected.end >= 0, actual.end == expected.end else { continue }
            var wanted = [Int](repeating: -1, count: 2 * columnCount)
            for (position, column) in unique.enumerated() where column >= 0 && position < expected.cells.count {
                wanted[2 * column] = expected.cells[position].lowerBound
                wanted[2 * column + 1] = expected.cells[position].upperBound
            }
            for column in 0..<columnCount where wanted[2 * column] >= 0 {
                #expect(
                    actual.ranges[2 * column] == wanted[2 * column]
                        && actual.ranges[2 * column + 1] == wanted[2 * column + 1],
                    "column \(column) of \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
    }

    @Test func aQuoteAfterTheRecordsEndDoesNotMatter() {
        // The quote is in the same 16-byte block as the record's end, but in the next record.
        let bytes = Array("a,b,c\n\"q\",d,e,f,g,h,i,j,k\n".utf8)
        let result = Self.split(bytes, start: 0, columns: [0, 1, 2], columnCount: 3)
        #expect(result.end == 5)
        #expect(result.ranges == [0, 1, 2, 3, 4, 5])
        #expect(Self.split(bytes, start: 6, columns: [0], columnCount: 1).end == -1)
    }
}

/// The release hook of a parsed answer's bytes, which lets the reader reuse the buffer.
@Suite struct StatsTextReleaseTests {
    @Test func bytesAreHandedBackOnceTheLastRowIsGone() throws {
        let released = ReleasedBytes()
        var table: StatsTable? = try StatsCSVParser.parse(
            bytes: Array("# pxname,svname,type,scur,\nbe,s1,2,4,\nbe,BACKEND,1,4,\n".utf8),
            whenReleased: { released.record($0) })
        var server: Server? = table?.backends.first?.servers.first
        table = nil
        #expect(released.count == 0, "a server still holds a row")
        #expect(server?.sessions == 4)
        server = nil
        #expect(released.count == 1)
        #expect(released.last.map { String(decoding: $0, as: UTF8.self) }?.hasPrefix("# pxname") == true)
    }

    @Test func aRejectedAnswerIsHandedBackToo() {
        let released = ReleasedBytes()
        #expect(throws: StatsCSVError.self) {
            try StatsCSVParser.parse(bytes: Array("<html>\n".utf8), whenReleased: { released.record($0) })
        }
        #expect(released.count == 1)
    }
}

final class ReleasedBytes: Sendable {
    private let state = NIOLockedValueBox<[[UInt8]]>([])
    func record(_ bytes: [UInt8]) { state.withLockedValue { $0.append(bytes) } }
    var count: Int { state.withLockedValue { $0.count } }
    var last: [UInt8]? { state.withLockedValue { $0.last } }
}
