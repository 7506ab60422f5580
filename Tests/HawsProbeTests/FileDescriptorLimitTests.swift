import HawsProbe
import Testing

@Suite("FileDescriptorLimit")
struct FileDescriptorLimitTests {
    @Test("the soft limit is raised to the hard limit, and a second call changes nothing")
    func raise() throws {
        let before = try #require(FileDescriptorLimit.current())
        let raised = try #require(FileDescriptorLimit.raiseSoftLimitToHard())
        #expect(raised.soft >= before.soft)
        #if os(Linux)
        #expect(raised.soft == raised.hard)
        #endif
        #expect(FileDescriptorLimit.raiseSoftLimitToHard() == raised)
        #expect(FileDescriptorLimit.current() == raised)
    }
}
