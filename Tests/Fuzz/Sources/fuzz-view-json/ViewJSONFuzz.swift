import FuzzDriver
import Foundation
import HawsCore
import HawsTUI

/// A `haws top` view file (JSON): the decoder, the key-by-key checks of the view definition, and the locator
/// that names where invalid JSON goes wrong.
@main
enum ViewJSONFuzzer {
    static func main() { runLibFuzzer(viewJSONFuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func viewJSONFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    do {
        let view = try ViewLoader.parse(Data(bytes), file: "fuzz.json")
        precondition(!view.columns.isEmpty, "a view without columns")
    } catch {
        precondition(!error.description.isEmpty, "an empty view file error")
    }
    _ = JSONSyntaxLocator.firstError(in: bytes)
    return 0
}
