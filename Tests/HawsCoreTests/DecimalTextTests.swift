import HawsCore
import Testing

@Suite struct DecimalTextTests {
    @Test func writesEveryIntegerAsSwiftPrintsIt() {
        for value in [0, 7, -1, 10, 99, 100, -12_345, 1_000_000_007, Int.max, Int.min] {
            var bytes: [UInt8] = []
            bytes.appendDecimal(value)
            #expect(String(decoding: bytes, as: UTF8.self) == String(value))
        }
    }
}
