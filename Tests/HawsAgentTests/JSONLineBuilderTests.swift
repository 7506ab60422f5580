import HawsCore
import Foundation
import Testing

@testable import HawsAgent

@Suite struct JSONLineBuilderTests {
    @Test func nestedContainersNullsAndEscapes() throws {
        var json = JSONLineBuilder()
        json.beginObject()
        json.field("type", "snapshot")
        json.field("text", "quote \" backslash \\ newline \n tab \t bell \u{07} del \u{7F} é 🚀")
        json.field("missing", nil as Int?)
        json.field("int", 42)
        json.field("double", 0.125)
        json.field("nan", Double.nan)
        json.field("whole", 3.0)
        json.field("flag", false)
        json.nullField("object")
        json.key("list")
        json.beginArray()
        json.beginObject()
        json.field("a", 1)
        json.endObject()
        json.beginObject()
        json.endObject()
        json.int(7)
        json.endArray()
        json.key("empty")
        json.beginArray()
        json.endArray()
        json.endObject()
        let line = json.line
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")), "a line must not contain a raw newline")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("{\"type\":\"snapshot\","), "type comes first: \(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["text"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} del \u{7F} é 🚀")
        #expect(object["missing"] is NSNull)
        #expect(object["nan"] is NSNull)
        #expect(object["object"] is NSNull)
        #expect(object["int"] as? Int == 42)
        #expect(number(object["double"]) == 0.125)
        #expect(text.contains("\"whole\":3,"))
        #expect(object["flag"] as? Bool == false)
        let list = try #require(object["list"] as? [Any])
        #expect(list.count == 3)
        #expect((list[0] as? [String: Any])?["a"] as? Int == 1)
        #expect((object["empty"] as? [Any])?.isEmpty == true)
    }

    /// The room ahead of the text grows 64 KB at a time, or by a whole token larger than that: a document of
    /// several steps, with one string of 200 KB among them, reads back whole and in order.
    @Test func documentsPastSeveralGrowthStepsStayWhole() throws {
        var json = JSONLineBuilder(capacity: 16)
        let key = JSONKey("n")
        json.beginObject()
        json.key("items")
        json.beginArray()
        for index in 0..<20_000 {
            json.beginObject()
            json.field(key, index)
            json.endObject()
        }
        json.endArray()
        let long = String(repeating: "x", count: 200 << 10)
        json.field("long", long)
        json.endObject()
        let line = json.takeLine()
        #expect(line.count > 300 << 10)
        #expect(!line.dropLast().contains(0), "no zero byte of the room ahead leaks into the line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count == 20_000)
        #expect(items.enumerated().allSatisfy { $1["n"] as? Int == $0 })
        #expect(object["long"] as? String == long)
    }
}
