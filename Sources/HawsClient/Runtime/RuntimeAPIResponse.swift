import HawsCore

/// Reading HAProxy's answers: what counts as success, what is an error text, where one answer ends.
///
/// HAProxy answers every command with text followed by an empty line, and a successful change of state
/// (`set server B/S state drain`, `set server B/S weight 50`, `shutdown sessions server B/S`) with only the
/// empty line. Its errors are plain sentences (`No such server.`, `No such backend.`,
/// `Require 'backend/server'.`, `'set server <srv> state' expects ...`) that are data for the caller, not
/// failures of the connection, so ``RuntimeAPIClient`` returns them and these helpers interpret them.
public enum RuntimeAPIResponse {
    /// The error text of a write command's answer, or `nil` when the answer is the empty line of success.
    ///
    /// Only for commands that print nothing on success (state, weight, health, agent, shutdown, enable and
    /// disable); a `show` answer is never empty, so it would read as an error. A severity prefix added by
    /// `severity-output` (`[3]: `, `[err]: `) is removed.
    public static func errorMessage(of answer: String) -> String? {
        // Lazily, line by line on UTF-8: it is also asked of 2 MB `show stat` answers, whose first line
        // settles it; splitting the whole text into Characters cost more than parsing the CSV.
        let utf8 = answer.utf8
        var start = utf8.startIndex
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) ?? utf8.endIndex
            let text = stripSeverity(String(answer[start..<end]).trimmingWhitespace())
            if !text.isEmpty { return text }
            start = end < utf8.endIndex ? utf8.index(after: end) : end
        }
        return nil
    }

    /// Splits the output of a batch (`cmd1;cmd2;...`) into one answer per command, each without its closing
    /// empty line.
    ///
    /// Exact for commands whose answer holds no empty line of its own (every write command, `show info`,
    /// `show stat`); an answer with inner empty lines (`show sess all` in some versions) splits into several.
    public static func answers(ofBatch output: String) -> [String] {
        var lines = output.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
        // The text after the last line break; empty when the output ends with one, as HAProxy's does.
        if lines.last?.isEmpty == true { lines.removeLast() }
        var answers: [String] = []
        var current: [Substring] = []
        for line in lines {
            if line.isEmpty {
                answers.append(current.joined(separator: "\n"))
                current = []
            } else {
                current.append(line)
            }
        }
        // Some error texts lack the closing empty line.
        if !current.isEmpty { answers.append(current.joined(separator: "\n")) }
        return answers
    }

    /// HAProxy's answer to a command that the socket's level does not allow.
    package static func isPermissionDenied(_ answer: String) -> Bool {
        errorMessage(of: answer) == "Permission denied"
    }

    /// HAProxy's answer to a command it does not know: `Unknown command, but maybe one of the following ...`
    /// in 2.4+, `Unknown command.` in older versions.
    package static func isUnknownCommand(_ answer: String) -> Bool {
        errorMessage(of: answer)?.hasPrefix("Unknown command") ?? false
    }

    /// Removes `[3]: ` or `[err]: ` put in front of messages by `severity-output number|string`.
    private static func stripSeverity(_ line: String) -> String {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return line }
        let severity = line[line.index(after: line.startIndex)..<close]
        let after = line[line.index(after: close)...]
        guard !severity.isEmpty, severity.count <= 8, severity.allSatisfy({ $0.isLetter || $0.isNumber }),
            after.hasPrefix(": ")
        else { return line }
        return String(after.dropFirst(2))
    }
}
