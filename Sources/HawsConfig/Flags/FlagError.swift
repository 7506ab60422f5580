/// A command-line value that cannot be used: one line naming the flag, what is wrong and what to write instead
/// (`--timeout: must be more than 0, e.g. 2s or 500ms, not '0'`), which the root command prints as is (exit 3).
///
/// The flags' counterpart of ``ConfigFileError``: a problem in the file names the file, the section and the key; a
/// problem on the command line names the flag.
public struct FlagError: Error, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
