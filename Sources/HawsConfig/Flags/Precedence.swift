/// The one precedence rule of haws's settings: a flag given on the command line wins over the config file, and the
/// config file over the built-in default.
///
/// "Given" means present on the command line: every flag that the file can also set is read as an optional, `nil`
/// when absent. It never means "different from the default": `--timeout 5s` wins over `[timeouts] request = "2s"`
/// although 5 s is the default, because the operator wrote it.
public enum Precedence {
    /// The flag's value when given, else the file's, else `fallback`.
    public static func resolve<Value>(flag: Value?, file: Value?, default fallback: Value) -> Value {
        flag ?? file ?? fallback
    }

    /// The same rule for a setting without a default (`nil`: neither the flag nor the file sets it).
    public static func resolve<Value>(flag: Value?, file: Value?) -> Value? {
        flag ?? file
    }
}
