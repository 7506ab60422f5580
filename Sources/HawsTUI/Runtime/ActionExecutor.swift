import HawsCore

/// How actions reach HAProxy: a value of closures, so HawsTUI does not depend on the client module
/// and tests pass a fake. The live value (in the `haws` executable) wraps `RuntimeAPIClient`.
public struct ActionExecutor: Sendable {
    /// Sends one command to an instance's runtime socket. Success only when HAProxy accepted it
    /// (an error text such as `No such server.` is a ``ActionFailure/Kind/rejected`` failure).
    public var send: @Sendable (_ instance: String, _ command: RuntimeCommand) async -> Result<String, ActionFailure>
    /// What the instance's socket allows (`show cli level`), asked once at start.
    public var access: @Sendable (_ instance: String) async -> InstanceAccess

    public init(
        send:
            @escaping @Sendable (_ instance: String, _ command: RuntimeCommand) async -> Result<String, ActionFailure>,
        access: @escaping @Sendable (_ instance: String) async -> InstanceAccess
    ) {
        self.send = send
        self.access = access
    }

    /// Refuses everything: for `--read-only` runs and tests.
    public static let none = ActionExecutor(
        send: { _, _ in .failure(ActionFailure(.noRuntimeSocket, "no executor")) }, access: { _ in .unknown })
}
