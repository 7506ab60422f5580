import Foundation
import HawsCore
import HawsTUI
import HawsConfig

extension FuzzTarget {
    /// `haws.toml`: the TOML reader, then the config file's checks of sections, keys, types and values.
    public static let toml = FuzzTarget(name: "toml") { (input) throws(FuzzViolation) in
        let text = String(decoding: input, as: UTF8.self)
        let parsed = try? TOMLParser.parse(text)
        var accepted = false
        do throws(ConfigFileError) {
            _ = try HawsConfigFile(parsing: text, file: "fuzz.toml")
            accepted = true
        } catch {
            try require(!error.description.isEmpty, "an empty config file error")
        }
        if accepted { try require(parsed != nil, "a config file accepted whose TOML did not parse") }
    }

    /// A `haws top` view file (JSON): the decoder, the key-by-key checks of the view definition, and the locator
    /// that names where invalid JSON goes wrong.
    public static let viewJSON = FuzzTarget(name: "view-json") { (input) throws(FuzzViolation) in
        var columns: Int?
        do throws(ViewFileError) {
            columns = try ViewLoader.parse(Data(input), file: "fuzz.json").columns.count
        } catch {
            try require(!error.description.isEmpty, "an empty view file error")
        }
        if let columns { try require(columns > 0, "a view without columns") }
        _ = JSONSyntaxLocator.firstError(in: input)
    }
}
