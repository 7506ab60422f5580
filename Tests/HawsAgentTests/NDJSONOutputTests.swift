import Foundation
import HawsTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import HawsAgent

/// Collects what the output would print on stderr, with a clock the test moves.
final class OutputProbe: Sendable {
    let messages = NIOLockedValueBox<[String]>([])
    let time = NIOLockedValueBox(Date(timeIntervalSince1970: 1_700_000_000))

    func report(_ message: String) { messages.withLockedValue { $0.append(message) } }
    func advance(_ seconds: TimeInterval) { time.withLockedValue { $0 += seconds } }
    var reports: [String] { messages.withLockedValue { $0 } }

    func output(_ destination: NDJSONDestination, rotation: FileRotation? = nil) -> NDJSONOutput {
        NDJSONOutput(
            destination: destination, rotation: rotation, report: { self.report($0) },
            now: { self.time.withLockedValue { $0 } })
    }
}

func line(_ number: Int, padding: Int = 0) -> [UInt8] {
    Array("{\"n\":\(number),\"pad\":\"\(String(repeating: "x", count: padding))\"}\n".utf8)
}

@Suite struct NDJSONOutputTests {
    @Test func appendsWholeLinesAndReopensAfterLogrotateMovedTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.ndjson")
        let probe = OutputProbe()
        let output = probe.output(.file(path))
        for number in 1...3 { #expect(await output.write(line(number))) }
        // logrotate: move the file away, then SIGHUP.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        #expect(await output.write(line(4)))  // still the old descriptor: goes to the moved file
        await output.reopen()
        #expect(await output.write(line(5)))
        await output.close()
        #expect(await output.write(line(6)))  // dropped on purpose after close, not an error
        #expect(
            try parseLines(String(contentsOfFile: path + ".1", encoding: .utf8)).map { $0["n"] as? Int } == [
                1, 2, 3, 4,
            ])
        #expect(try parseLines(String(contentsOfFile: path, encoding: .utf8)).map { $0["n"] as? Int } == [5])
        #expect(probe.reports.isEmpty)
    }

    @Test func rotatesBySizeKeepingNFilesOfWholeLines() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.ndjson")
        let output = OutputProbe().output(.file(path), rotation: FileRotation(maxBytes: 300, keep: 2))
        for number in 1...20 { #expect(await output.write(line(number, padding: 80))) }  // ~100 bytes a line
        await output.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["agent.ndjson", "agent.ndjson.1", "agent.ndjson.2"])
        var numbers: [Int] = []
        for file in ["agent.ndjson.2", "agent.ndjson.1", "agent.ndjson"] {
            let text = try String(contentsOfFile: directory.file(file), encoding: .utf8)
            #expect(text.utf8.count <= 300, "\(file) is \(text.utf8.count) bytes")
            numbers += try parseLines(text).compactMap { $0["n"] as? Int }
        }
        #expect(numbers == Array(numbers.first!...20), "the newest lines, in order, none torn: \(numbers)")
        #expect(numbers.count >= 6)
    }

    @Test func fullDiskIsReportedOnceAMinuteAndWritingGoesOn() async throws {
        let probe = OutputProbe()
        let output = probe.output(.file("/dev/full"))
        for number in 1...50 { #expect(await !output.write(line(number))) }
        #expect(probe.reports.count == 1, "\(probe.reports)")
        #expect(probe.reports.first?.contains("No space left on device") == true, "\(probe.reports)")
        probe.advance(30)
        await output.write(line(51))
        #expect(probe.reports.count == 1)
        probe.advance(31)
        await output.write(line(52))
        #expect(probe.reports.count == 2)
        #expect(probe.reports.last?.contains("50 more failures") == true, "\(probe.reports)")
        #expect(await output.linesDropped == 52)
    }

    @Test func unwritablePathIsReportedThenRecoveryIsSaid() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A path under a regular file cannot be created, even by root (chmod does not stop root).
        let blocker = directory.file("not-a-directory")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let probe = OutputProbe()
        let output = probe.output(.file(blocker + "/agent.ndjson"))
        for number in 1...5 { #expect(await !output.write(line(number))) }
        #expect(probe.reports.count == 1)
        #expect(probe.reports[0].contains("open: Not a directory"), "\(probe.reports)")

        // Writable again (the operator fixed it): the next line goes through, and that is said once.
        try FileManager.default.removeItem(atPath: blocker)
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        #expect(await output.write(line(6)))
        #expect(await output.write(line(7)))
        #expect(probe.reports.count == 2)
        #expect(probe.reports[1].contains("again (5 lines were dropped)"), "\(probe.reports)")
        #expect(try parseLines(String(contentsOfFile: blocker + "/agent.ndjson", encoding: .utf8)).count == 2)
    }

    /// A line given in parts (a full snapshot) is written whole with nothing between its parts; a failure drops the
    /// line like any other; a line a killed writer left unfinished is ended when the file is opened, so the next line
    /// starts on a line of its own.
    @Test func linesInPartsAreWrittenWholeAndAnUnfinishedLineIsEnded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.ndjson")
        // What a writer killed between two parts leaves: a whole line, then half of one.
        #expect(FileManager.default.createFile(atPath: path, contents: Data("{\"n\":1}\n{\"n\":2,\"pa".utf8)))
        let probe = OutputProbe()
        let output = probe.output(.file(path))
        let parts = [Array("{\"n\":3,".utf8), Array("\"pad\":\"".utf8), Array("x\"}\n".utf8)]
        #expect(await output.write(parts: parts.makeIterator(), estimatedBytes: 20) == 18)
        #expect(await output.write(line(4)))
        await output.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == "{\"n\":1}\n{\"n\":2,\"pa\n{\"n\":3,\"pad\":\"x\"}\n{\"n\":4,\"pad\":\"\"}\n")
        #expect(await output.linesWritten == 2)

        let full = probe.output(.file("/dev/full"))
        #expect(await full.write(parts: parts.makeIterator(), estimatedBytes: 20) == nil)
        #expect(await full.linesDropped == 1)
        #expect(probe.reports.count == 1 && probe.reports[0].contains("No space left on device"), "\(probe.reports)")
    }

    /// A line in parts that would pass the size limit, by its estimate, opens a fresh file first.
    @Test func linesInPartsRotateOnTheirEstimate() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("agent.ndjson")
        let output = OutputProbe().output(.file(path), rotation: FileRotation(maxBytes: 100, keep: 1))
        #expect(await output.write(line(1)))
        let parts = [Array("{\"n\":2,".utf8), Array("\"pad\":\"\"}\n".utf8)]
        #expect(await output.write(parts: parts.makeIterator(), estimatedBytes: 95) != nil)
        // A line in one part is its own size, whatever the estimate: 2 + 17 bytes fit in 100.
        #expect(await output.write(parts: [line(3)].makeIterator(), estimatedBytes: 4_096) == 17)
        await output.close()
        #expect(try parseLines(String(contentsOfFile: path + ".1", encoding: .utf8)).map { $0["n"] as? Int } == [1])
        #expect(try parseLines(String(contentsOfFile: path, encoding: .utf8)).map { $0["n"] as? Int } == [2, 3])
    }

    @Test func rotationSteps() {
        #expect(
            FileRotation(maxBytes: 1, keep: 3).steps(for: "/x/a") == [
                .remove("/x/a.3"), .rename(from: "/x/a.2", to: "/x/a.3"), .rename(from: "/x/a.1", to: "/x/a.2"),
                .rename(from: "/x/a", to: "/x/a.1"),
            ])
        #expect(FileRotation(maxBytes: 1, keep: 0).steps(for: "/x/a") == [.remove("/x/a")])
        #expect(!FileRotation(maxBytes: 100, keep: 1).needsRotation(currentSize: 0, lineBytes: 500))
        #expect(FileRotation(maxBytes: 100, keep: 1).needsRotation(currentSize: 10, lineBytes: 91))
        #expect(!FileRotation(maxBytes: 100, keep: 1).needsRotation(currentSize: 10, lineBytes: 90))
    }

    @Test func errorThrottle() {
        var throttle = ErrorThrottle(interval: 60)
        let start = Date(timeIntervalSince1970: 0)
        let answers = [0, 1, 59, 60].map { throttle.failure(at: start + Double($0)) }
        #expect(answers == [0, nil, nil, 2])
        let recoveries = [throttle.recovered(), throttle.recovered()]
        #expect(recoveries == [true, false])
        let afterRecovery = throttle.failure(at: start + 61)
        #expect(afterRecovery == 0)
    }
}
