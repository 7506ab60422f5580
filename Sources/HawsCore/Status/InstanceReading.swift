/// The outcome of reading one instance: a snapshot, or the one-line reason it could not be read.
public enum InstanceReading: Sendable {
    case read(InstanceSnapshot)
    case unreachable(instance: String, error: String)

    public var instance: String {
        switch self {
        case .read(let snapshot): snapshot.instance
        case .unreachable(let instance, _): instance
        }
    }
}
