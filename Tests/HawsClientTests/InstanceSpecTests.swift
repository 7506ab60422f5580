import Foundation
import Testing

@testable import HawsClient
import HawsTestSupport

@Suite struct InstanceSpecTests {
    @Test func fromFlagsWithASocket() throws {
        let spec = try InstanceSpec.fromFlags(socket: "/run/haproxy/admin.sock")
        #expect(spec.name == "/run/haproxy/admin.sock")
        #expect(spec.runtime == .unix(path: "/run/haproxy/admin.sock"))
        #expect(spec.statsPage == nil)
    }

    @Test func fromFlagsWithAStatsPage() throws {
        let spec = try InstanceSpec.fromFlags(
            name: "edge-2",
            statsURL: "https://admin@10.0.0.2:8404/stats",
            statsPasswordFile: "/etc/haws/edge-2.pass",
            statsInsecure: true
        )
        #expect(spec.name == "edge-2")
        #expect(spec.statsPage?.user == "admin")
        #expect(spec.statsPage?.tls == .insecure)
        #expect(spec.statsPage?.endpoint.target == "/stats;csv")
    }

    @Test func defaultNames() throws {
        #expect(try InstanceSpec.fromFlags(socket: "ipv4@127.0.0.1:9999").name == "127.0.0.1:9999")
        #expect(try InstanceSpec.fromFlags(statsURL: "http://[::1]:8404/stats").name == "[::1]:8404")
        #expect(try InstanceSpec.fromFlags(masterSocket: "/run/haproxy-master.sock").name == "/run/haproxy-master.sock")
    }

    @Test func flagErrorsAreTheParsersOwn() {
        #expect(throws: RuntimeEndpointError.self) { try InstanceSpec.fromFlags(socket: "tcp://127.0.0.1") }
        #expect(throws: StatsPageEndpointError.self) { try InstanceSpec.fromFlags(statsURL: "http://a:b@h/") }
        #expect(throws: InstanceSpecError.self) { try InstanceSpec.fromFlags(statsUser: "admin") }
        #expect(throws: InstanceSpecError.self) { try InstanceSpec.fromFlags() }
        #expect(throws: InstanceSpecError.self) { try InstanceSpec.fromFlags(name: "", socket: "/a.sock") }
    }

    @Test func socketFileStatusReadsARealSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        try StaleSocketFile.create(at: path)
        #expect(chmod(path, 0o660) == 0)
        let status = try #require(SocketFileStatus(path: path))
        #expect(status.isSocket)
        #expect(status.octalMode == "660")
        #expect(status.owner == (geteuid() == 0 ? "root" : status.owner))
        let file = try directory.write("plain", "x")
        #expect(SocketFileStatus(path: file)?.isSocket == false)
        #expect(SocketFileStatus(path: directory.file("missing")) == nil)
    }
}
