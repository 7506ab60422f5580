/// Evaluates the condition of `.if` / `.elif` (configuration.txt 2.4): `0`, non-zero integers, predicates with
/// arguments, `( )`, `!`, `&&` over `||`.
///
/// Predicates haws can answer: `defined`, `streq`, `strneq`, `strstr`, and `version_atleast` / `version_before`
/// when the HAProxy version is known. Others (`feature`, `enabled`, the SSL library ones) depend on the binary:
/// the evaluation then returns nil, and the reader treats the block as not taken and says so in a note.
public struct ConditionEvaluator: Sendable {
    public var environment: [String: String]
    /// `haproxy -v`'s version (e.g. "2.6.12"); nil when unknown.
    public var haproxyVersion: String?

    public init(environment: [String: String], haproxyVersion: String?) {
        self.environment = environment
        self.haproxyVersion = haproxyVersion
    }

    /// The words after `.if`, already tokenized, joined by one space as HAProxy does.
    public func evaluate(_ words: [String]) -> Bool? {
        var parser = Parser(text: Array(words.joined(separator: " ")), evaluator: self)
        guard let value = parser.orExpression(), parser.atEnd else { return nil }
        return value
    }

    func predicate(_ name: String, _ arguments: [String]) -> Bool? {
        switch (name, arguments.count) {
        case ("defined", 1): return environment[arguments[0]] != nil
        case ("streq", 2): return arguments[0] == arguments[1]
        case ("strneq", 2): return arguments[0] != arguments[1]
        case ("strstr", 2): return arguments[1].isEmpty || arguments[0].contains(arguments[1])
        case ("version_atleast", 1), ("version_before", 1):
            guard let haproxyVersion else { return nil }
            let atLeast = Self.compare(haproxyVersion, arguments[0]) >= 0
            return name == "version_atleast" ? atLeast : !atLeast
        default: return nil
        }
    }

    /// Compares dotted versions numerically; missing components are zero ("2.6" == "2.6.0").
    static func compare(_ a: String, _ b: String) -> Int {
        func parts(_ text: String) -> [Int] {
            text.split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        }
        let left = parts(a)
        let right = parts(b)
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : 0
            let r = index < right.count ? right[index] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }

    struct Parser {
        var text: [Character]
        var position = 0
        let evaluator: ConditionEvaluator

        init(text: [Character], evaluator: ConditionEvaluator) {
            self.text = text
            self.evaluator = evaluator
        }

        var atEnd: Bool {
            mutating get {
                skipSpaces()
                return position >= text.count
            }
        }

        mutating func skipSpaces() {
            while position < text.count, text[position] == " " { position += 1 }
        }

        mutating func take(_ token: String) -> Bool {
            skipSpaces()
            let chars = Array(token)
            guard position + chars.count <= text.count, Array(text[position..<(position + chars.count)]) == chars else {
                return false
            }
            position += chars.count
            return true
        }

        /// An unknown predicate makes the whole expression unknown (nil), except where `&&`/`||` settle it.
        mutating func orExpression() -> Bool? {
            if atEnd { return false }  // an empty condition is false
            guard var value = andExpression() else { return nil }
            var unknown = false
            while take("||") {
                let right = andExpression()
                if right == nil { unknown = true }
                value = value || (right ?? false)
            }
            return unknown && !value ? nil : value
        }

        mutating func andExpression() -> Bool? {
            var value = unary()
            while take("&&") {
                let right = unary()
                switch (value, right) {
                case (false?, _), (_, false?): value = false
                case (true?, true?): value = true
                default: value = nil
                }
            }
            return value
        }

        mutating func unary() -> Bool? {
            if take("!") { return unary().map { !$0 } }
            if take("(") {
                let value = orExpression()
                guard take(")") else { return nil }
                return value
            }
            skipSpaces()
            var name: [Character] = []
            while position < text.count, text[position].isLetter || text[position].isNumber || text[position] == "_" {
                name.append(text[position])
                position += 1
            }
            guard !name.isEmpty else { return nil }
            if name.allSatisfy(\.isNumber) { return Int(String(name)).map { $0 != 0 } }
            var arguments: [String] = []
            if position < text.count, text[position] == "(" {
                position += 1
                var current: [Character] = []
                var quote: Character?
                while position < text.count {
                    let char = text[position]
                    position += 1
                    if let open = quote {
                        if char == open { quote = nil } else { current.append(char) }
                    } else if char == "\"" || char == "'" {
                        quote = char
                    } else if char == "," {
                        arguments.append(String(current))
                        current = []
                    } else if char == ")" {
                        if !(arguments.isEmpty && current.isEmpty) { arguments.append(String(current)) }
                        return evaluator.predicate(String(name), arguments)
                    } else {
                        current.append(char)
                    }
                }
                return nil
            }
            return evaluator.predicate(String(name), arguments)
        }
    }
}
