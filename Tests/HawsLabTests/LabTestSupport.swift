import HawsLab
import Testing

/// Starts a lab, runs `body`, and always shuts the lab down, also when `body` throws.
func withLab(_ spec: LabSpec = .demo, _ body: (Lab) async throws -> Void) async throws {
    let lab = try await Lab.start(spec)
    do {
        try await body(lab)
    } catch {
        await lab.shutdown()
        throw error
    }
    await lab.shutdown()
}

/// Open tunnels of `backend` as HAProxy derives them: sum of the servers' `hrsp_1xx` minus the BACKEND's
/// (a server row counts the 101 when it arrives, the backend row only when the stream ends).
func derivedTunnels(_ rows: LabStatRows, backend: String) -> Int {
    let servers = rows.rows.filter { $0.proxy == backend && $0.service != "BACKEND" && $0.service != "FRONTEND" }
    let serverSum = servers.reduce(0) { $0 + (Int($1["hrsp_1xx"] ?? "") ?? 0) }
    let backendCount = Int(rows.row(backend, "BACKEND")?["hrsp_1xx"] ?? "") ?? 0
    return serverSum - backendCount
}
