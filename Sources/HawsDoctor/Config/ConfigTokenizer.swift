/// Splits one configuration line into words the way HAProxy's parser does (configuration.txt 2.2, 2.3).
///
/// Unquoted text splits on spaces and tabs and ends at `#`; `\` escapes a space, `#`, `\`, quotes and `$`,
/// and writes `\n`, `\r`, `\t`, `\xNN`. Double quotes keep spaces and expand `$NAME`, `${NAME}`,
/// `${NAME-default}` and `${NAME[*]}` (one word per space-separated value) from the environment; single quotes
/// keep everything as written. Variables are never expanded outside double quotes.
public enum ConfigTokenizer {
    public struct Line: Sendable, Hashable {
        public var words: [String]
        /// Variables referenced in double quotes that the environment does not define (expanded to nothing).
        public var undefinedVariables: [String]
        /// A quote was still open at the end of the line (HAProxy refuses such a line).
        public var unterminatedQuote: Bool
    }

    public static func tokenize(_ text: Substring, environment: [String: String]) -> Line {
        var words: [String] = []
        var undefined: [String] = []
        var word: [Character] = []
        var inWord = false
        enum Quote { case none, weak, strong }
        var quote = Quote.none
        let chars = Array(text)
        var index = 0

        func endWord() {
            if inWord { words.append(String(word)) }
            word = []
            inWord = false
        }

        while index < chars.count {
            let char = chars[index]
            switch quote {
            case .strong:
                if char == "'" { quote = .none } else { word.append(char) }
                index += 1
            case .none where char == " " || char == "\t":
                endWord()
                index += 1
            case .none where char == "#":
                index = chars.count
            case .none where char == "'":
                quote = .strong
                inWord = true
                index += 1
            case .none where char == "\"":
                quote = .weak
                inWord = true
                index += 1
            case .weak where char == "\"":
                quote = .none
                index += 1
            case _ where char == "\\":
                inWord = true
                index += 1
                guard index < chars.count else {
                    word.append("\\")
                    break
                }
                let next = chars[index]
                switch next {
                case "n": word.append("\n")
                case "r": word.append("\r")
                case "t": word.append("\t")
                case "x" where index + 2 < chars.count:
                    let hex = String(chars[(index + 1)...(index + 2)])
                    if let value = UInt8(hex, radix: 16) {
                        word.append(Character(Unicode.Scalar(value)))
                        index += 2
                    } else {
                        word.append("\\")
                        word.append("x")
                    }
                case " ", "\t", "#", "\\", "'", "\"", "$": word.append(next)
                default:
                    word.append("\\")
                    word.append(next)
                }
                index += 1
            case .weak where char == "$":
                let (name, defaultValue, split, consumed) = variable(in: chars, at: index)
                guard let name else {
                    word.append("$")
                    index += 1
                    break
                }
                index += consumed
                let value: String
                if let set = environment[name] {
                    value = set
                } else if let defaultValue {
                    value = defaultValue
                } else {
                    undefined.append(name)
                    value = ""
                }
                if split {
                    let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
                    for (offset, part) in parts.enumerated() {
                        if offset > 0 {
                            words.append(String(word))
                            word = []
                        }
                        word.append(contentsOf: part)
                    }
                } else {
                    word.append(contentsOf: value)
                }
            default:
                inWord = true
                word.append(char)
                index += 1
            }
        }
        endWord()
        return Line(words: words, undefinedVariables: undefined, unterminatedQuote: quote != .none)
    }

    /// `$NAME`, `${NAME}`, `${NAME-default}` or `${NAME[*]}` at `start` (the `$`): the name, the default, whether
    /// `[*]` asked for one word per value, and how many characters the reference takes.
    static func variable(in chars: [Character], at start: Int) -> (String?, String?, Bool, Int) {
        var index = start + 1
        func isNameChar(_ char: Character) -> Bool { char == "_" || char.isASCII && (char.isLetter || char.isNumber) }
        if index < chars.count, chars[index] == "{" {
            index += 1
            var name: [Character] = []
            while index < chars.count, isNameChar(chars[index]) || chars[index] == "." {
                name.append(chars[index])
                index += 1
            }
            var defaultValue: String?
            var split = false
            if index < chars.count, chars[index] == "-" {
                index += 1
                var value: [Character] = []
                while index < chars.count, chars[index] != "}" {
                    value.append(chars[index])
                    index += 1
                }
                defaultValue = String(value)
            } else if index + 2 < chars.count, chars[index] == "[", chars[index + 1] == "*", chars[index + 2] == "]" {
                split = true
                index += 3
            }
            guard !name.isEmpty, index < chars.count, chars[index] == "}" else { return (nil, nil, false, 0) }
            return (String(name), defaultValue, split, index + 1 - start)
        }
        var name: [Character] = []
        while index < chars.count, isNameChar(chars[index]) {
            name.append(chars[index])
            index += 1
        }
        guard let first = name.first, !first.isNumber else { return (nil, nil, false, 0) }
        return (String(name), nil, false, index - start)
    }
}
