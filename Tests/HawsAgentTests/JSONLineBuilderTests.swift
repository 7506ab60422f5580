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
}
