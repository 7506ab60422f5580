import Foundation
import Testing

@testable import HawsAgent

/// The Grafana dashboard queries only metrics the agent exports: a renamed family fails here, not as a
/// silently empty panel.
@Suite struct DashboardTests {
    func dashboard() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Dashboards/grafana/haws.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Every string under a key named `expr`, `query` or `definition` (panel targets and template variables).
    func queries(in value: Any) -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, value -> [String] in
                if ["expr", "query", "definition"].contains(key), let text = value as? String { return [text] }
                return queries(in: value)
            }
        case let array as [Any]:
            return array.flatMap { queries(in: $0) }
        default:
            return []
        }
    }

    @Test func everyQueriedMetricIsExported() throws {
        let texts = queries(in: try dashboard())
        #expect(texts.count >= 15)
        let exported = Set(MetricFamily.allCases.flatMap(\.sampleNames))
        let pattern = /haws_[a-z0-9_]+/
        var used = Set<String>()
        for text in texts {
            for match in text.matches(of: pattern) { used.insert(String(match.output)) }
        }
        let unknown = used.subtracting(exported)
        #expect(unknown.isEmpty, "the dashboard queries metrics the agent does not export: \(unknown.sorted())")
        for required in [
            "haws_server_tunnels", "haws_backend_upgrades_total", "haws_server_state", "haws_instance_up",
            "haws_poll_duration_seconds_bucket", "haws_probe_duration_seconds_bucket", "haws_probes_total",
        ] {
            #expect(used.contains(required), "no panel uses \(required)")
        }
    }

    @Test func panelsHaveTitlesAndUseTheDatasourceVariable() throws {
        let panels = try #require(try dashboard()["panels"] as? [[String: Any]])
        var ids = Set<Int>()
        for panel in panels {
            #expect((panel["title"] as? String)?.isEmpty == false)
            #expect(ids.insert(panel["id"] as? Int ?? -1).inserted)
            guard panel["type"] as? String != "row" else { continue }
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}")
            #expect((panel["targets"] as? [Any])?.isEmpty == false)
        }
    }
}
