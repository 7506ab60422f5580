import HawsCore

/// The NDJSON `event` line: something that happened between polls (schema: `Schemas/agent.schema.json`).
///
/// `kind` is the engine's stable name (`server_state`, `reload`, `instance_unreachable`, ...); `before` and
/// `after` carry the states of a transition, `detail` the cause HAProxy gave, and `summary` the same as one
/// sentence for people (`ws_chat/s3 UP -> DOWN (L4CON)`), so a log shipper can show it without templates.
public enum EventLine {
    public static func encode(_ event: MonitorEvent) -> [UInt8] {
        var json = JSONLineBuilder(capacity: 256)
        json.beginObject()
        json.field("type", "event")
        json.field("time", RFC3339.string(event.time))
        json.field("instance", event.instance)
        json.field("kind", event.kind.rawValue)
        json.field("object", event.object)
        json.field("before", event.before)
        json.field("after", event.after)
        json.field("detail", event.detail)
        json.field("summary", event.summary)
        json.endObject()
        return json.takeLine()
    }
}
