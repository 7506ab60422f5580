import Foundation
import HawsFuzzTargets
import HawsTestSupport
import Testing

/// Every fuzz target, without libFuzzer: over its committed corpora (the seeds in `Tests/Fuzz/Corpus/<target>`
/// and what campaigns learned in `Tests/Fuzz/Learned/<target>`), then over seeded mutations of them. This is the
/// smoke run of `make test`: the targets keep building and passing with the parsers they drive, in seconds,
/// without the instrumented build of the fuzz package (`make fuzz-smoke` runs the real libFuzzer executables).
@Suite struct FuzzTargetTests {
    /// Mutations per target: a few seconds for all targets in a debug build.
    static let mutations = 1_500

    @Test func everyTargetHasSeedsAndAnExecutable() throws {
        let names = FuzzTarget.all.map(\.name)
        #expect(Set(names).count == names.count, "two targets with one name")
        #expect(try Self.directories(in: Self.fuzz.appending(path: "Corpus")) == Set(names))
        #expect(try Self.directories(in: Self.fuzz.appending(path: "Sources")) == Set(names.map { "fuzz-\($0)" } + ["FuzzDriver"]))
        let learned = Self.fuzz.appending(path: "Learned")
        if FileManager.default.fileExists(atPath: learned.path) {
            #expect(try Self.directories(in: learned).isSubset(of: Set(names)), "a learned corpus without a target")
        }
    }

    /// A trap in a parser stops the test process: the seed is fixed per target, so running this test again
    /// (`swift test --filter FuzzTargetTests`) replays it; `HAWS_TEST_SEED` explores other mutations.
    @Test(arguments: FuzzTarget.all.map(\.name))
    func corpusAndMutationsPass(target name: String) throws {
        let target = try #require(FuzzTarget.all.first { $0.name == name })
        let corpus = try Self.inputs(of: name)
        #expect(!corpus.isEmpty, "no seeds for \(name)")
        for (file, input) in corpus {
            do throws(FuzzViolation) {
                try target(input)
            } catch {
                Issue.record("\(name): \(file): \(error)")
            }
        }
        var generator = SeededRandom(seed: 0xF022_0000 &+ UInt64(FuzzTarget.all.firstIndex { $0.name == name }!))
        let replay = generator.replay
        let seeds = corpus.map(\.input)
        for round in 0..<Self.mutations {
            let input = Mutator.mutate(seeds.randomElement(using: &generator)!, splicing: seeds, using: &generator)
            do throws(FuzzViolation) {
                try target(input)
            } catch {
                Issue.record("\(name), mutation \(round), \(replay): \(error); input \(Data(input).base64EncodedString())")
                return
            }
        }
    }

    /// `Tests/Fuzz`.
    static let fuzz = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Fuzz")

    static func directories(in url: URL) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") })
    }

    /// The committed inputs of a target, seeds first, each with its file name, in a fixed order.
    static func inputs(of name: String) throws -> [(file: String, input: [UInt8])] {
        var inputs: [(file: String, input: [UInt8])] = []
        for corpus in ["Corpus", "Learned"] {
            let directory = fuzz.appending(path: corpus).appending(path: name)
            guard FileManager.default.fileExists(atPath: directory.path) else { continue }
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
                let data = try Data(contentsOf: directory.appending(path: file))
                inputs.append(("\(corpus)/\(name)/\(file)", Array(data)))
            }
        }
        return inputs
    }
}

/// libFuzzer's kinds of mutation, in small: bit flips, the bytes parsers split on, insertions, deletions,
/// duplicated ranges, huge or negative numbers, and splices of two inputs; one to four of them per input.
enum Mutator {
    /// The bytes HAProxy's outputs, HTTP, TOML and JSON are split on, and the edges of a byte's range.
    static let interesting: [UInt8] = Array("\n\r,\":; =#[]{}.-09".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]
    static let numbers = ["99999999999999999999", "-1", "0", "18446744073709551616", "2147483648", "1e308"]
    static let maximumLength = 4096

    static func mutate(
        _ seed: [UInt8], splicing others: [[UInt8]], using generator: inout SeededRandom
    ) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<8, using: &generator) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1 where !bytes.isEmpty:
                bytes[position] = interesting.randomElement(using: &generator)!
            case 2:
                let count = Int.random(in: 1...8, using: &generator)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }, at: position)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &generator))
                bytes.removeSubrange(position..<end)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &generator))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &generator))
            case 5:
                bytes.insert(contentsOf: numbers.randomElement(using: &generator)!.utf8, at: position)
            case 6:
                let other = others.randomElement(using: &generator)!
                let from = other.isEmpty ? 0 : Int.random(in: 0..<other.count, using: &generator)
                bytes = Array(bytes[..<position]) + other[from...]
            default:
                bytes.removeSubrange(position...)
            }
        }
        return Array(bytes.prefix(maximumLength))
    }
}
