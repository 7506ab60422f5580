import Foundation
import HawsDoctor
import HawsTestSupport
import Testing

@Suite struct ConfigReaderTests {
    @Test func readsTheGuideSections() throws {
        let config = parse(guideConfig)
        #expect(config.global.map(\.keyword) == ["log", "maxconn"])
        #expect(config.globalLocation == ConfigLocation(file: "haproxy.cfg", line: 1))
        #expect(config.defaults.count == 1)
        #expect(config.proxies.map(\.sectionLabel) == ["frontend http", "backend ws"])
        let backend = try #require(config.proxy(named: "ws"))
        #expect(backend.location.line == 20)
        #expect(backend.mode == "http")  // from defaults
        #expect(backend.timeout("server")?.milliseconds == 50_000)
        #expect(backend.timeout("server")?.directive.location.line == 10)
        #expect(backend.servers.count == 2)
        #expect(config.frontends(routingTo: "ws").map(\.name) == ["http"])
    }

    @Test func lastDefaultsBeforeAProxyAndNamedDefaultsWithFrom() throws {
        let config = parse("""
            defaults base
                mode http
                timeout client 10s
            defaults
                mode tcp
            backend plain
                server a 127.0.0.1:1
            defaults other from base
                timeout server 20s
            backend named from base
                server b 127.0.0.1:2
            backend chained
                server c 127.0.0.1:3
            """)
        #expect(try #require(config.proxy(named: "plain")).mode == "tcp")
        let named = try #require(config.proxy(named: "named"))
        #expect(named.mode == "http")
        #expect(named.timeout("server") == nil)
        #expect(named.defaultsSection?.line == 1)
        let chained = try #require(config.proxy(named: "chained"))
        #expect(chained.timeout("server")?.milliseconds == 20_000)
        #expect(chained.timeout("client")?.milliseconds == 10_000)  // other from base
        #expect(chained.defaultsName == "other")
    }

    @Test func proxyOverridesDefaultsAndNoOption() throws {
        let config = parse("""
            defaults
                option http-server-close
                timeout tunnel 1h
            backend b
                no option http-server-close
                timeout tunnel 2h
            """)
        let backend = try #require(config.proxy(named: "b"))
        #expect(backend.option("http-server-close")?.enabled == false)
        #expect(backend.timeout("tunnel")?.milliseconds == 7_200_000)
    }

    @Test func conditionalBlocksAndEnvironment() throws {
        let text = """
            .if defined(TUNNEL)
            defaults
                timeout tunnel "${TUNNEL}"
            .elif version_atleast(2.4) && !streq("$MODE",tcp)
            defaults
                timeout tunnel 5m
            .else
            defaults
                timeout tunnel 1s
            .endif
            backend b
            """
        #expect(parse(text, environment: ["TUNNEL": "3h"]).proxy(named: "b")?.timeout("tunnel")?.milliseconds == 10_800_000)
        #expect(parse(text).proxy(named: "b")?.timeout("tunnel")?.milliseconds == 300_000)
        #expect(parse(text, version: "2.2").proxy(named: "b")?.timeout("tunnel")?.milliseconds == 1_000)
        #expect(parse(text, environment: ["MODE": "tcp"]).proxy(named: "b")?.timeout("tunnel")?.milliseconds == 1_000)
    }

    @Test func nestedBlocksInsideAFalseBranchStayOff() {
        let config = parse("""
            .if 0
            .if 1
            global
                maxconn 1
            .endif
            .else
            global
                maxconn 2
            .endif
            """)
        #expect(config.globalDirective("maxconn")?.words == ["maxconn", "2"])
        #expect(config.notes.isEmpty)
    }

    @Test func unknownPredicatesAndStrayLinesAreNotesNotErrors() {
        let config = parse("""
            maxconn 5
            .if feature(OPENSSL)
            global
                maxconn 1
            .endif
            .diag "hello"
            frontend f
                some-future-keyword 1 2
            """)
        #expect(config.global.isEmpty)
        #expect(config.notes.count == 2)
        #expect(config.notes.map(\.location.line) == [1, 2])
        #expect(config.proxy(named: "f")?.own.map(\.keyword) == ["some-future-keyword"])
        #expect(findings("frontend f\n    bind 127.0.0.1:1\n.if enabled(SPLICE)\n.endif\n").contains { $0.code == DoctorCode.configNotUnderstood })
    }

    @Test func otherSectionsAreSkippedButKeepLineNumbers() throws {
        let config = parse("""
            userlist admins
                user admin password x
            resolvers dns
                nameserver a 127.0.0.1:53
            backend b
                timeout tunnel 1h
            """)
        #expect(config.proxies.count == 1)
        #expect(try #require(config.proxy(named: "b")).timeout("tunnel")?.directive.location.line == 6)
    }

    @Test func severalFilesInOrderEachStartingOutsideSections() throws {
        let config = ConfigReader().read([
            ConfigSource(path: "a.cfg", text: "defaults\n    timeout tunnel 1h\n"),
            ConfigSource(path: "b.cfg", text: "    maxconn 1\nbackend b\n    server s 127.0.0.1:1\n"),
        ])
        #expect(config.files == ["a.cfg", "b.cfg"])
        let backend = try #require(config.proxy(named: "b"))
        #expect(backend.location == ConfigLocation(file: "b.cfg", line: 2))
        #expect(backend.timeout("tunnel")?.directive.location == ConfigLocation(file: "a.cfg", line: 2))
        #expect(config.notes.map(\.location) == [ConfigLocation(file: "b.cfg", line: 1)])
    }

    @Test func durations() {
        #expect(HAProxyDuration.milliseconds("50000") == 50_000)
        #expect(HAProxyDuration.milliseconds("50s") == 50_000)
        #expect(HAProxyDuration.milliseconds("1h") == 3_600_000)
        #expect(HAProxyDuration.milliseconds("1d") == 86_400_000)
        #expect(HAProxyDuration.milliseconds("1500us") == 1)
        #expect(HAProxyDuration.milliseconds("5x") == nil)
        #expect(HAProxyDuration.text(milliseconds: 50_000) == "50s")
        #expect(HAProxyDuration.text(milliseconds: 5_400_000) == "1h30m")
        #expect(HAProxyDuration.text(milliseconds: 250) == "250ms")
    }

    @Test func directoryArgumentsReadCfgFilesInByteOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in ["b.cfg", "a.cfg", "B.cfg", ".hidden.cfg", "notes.txt"] {
            _ = try directory.write(name, "global\n")
        }
        let files = try ConfigFileLoader.expand([directory.path]).map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(files == ["B.cfg", "a.cfg", "b.cfg"])
        #expect(throws: ConfigFileLoader.LoadError.self) { try ConfigFileLoader.load([directory.path + "/missing.cfg"]) }
    }
}
