import HawsCore

/// Tunnels per server over time for every server of an instance, in memory that stays small at
/// 10,000 servers.
///
/// A ring of frames, one frame per sample holding the value of every server (by its position in the
/// snapshot), rather than a ring per server: appending a sample touches one slot of the ring instead
/// of 10,000 rings, which a consumer holding the previous state would each force to be copied. A frame
/// of zeros is stored empty, and a frame equal to the previous one shares its storage (tunnels are
/// counted every few seconds, sampled every second), so an idle fleet costs nothing and a busy one
/// 2 bytes per server per distinct count. Counts saturate at 65,535 (a sparkline does not need more).
public struct ServerHistory: Sendable {
    /// Samples kept (300 = 5 minutes at 1 s); 0 keeps nothing.
    public let capacity: Int
    /// The servers in snapshot order: the slot of a value in a frame.
    private var layout: [ServerKey] = []
    private var slots: [ServerKey: Int] = [:]
    /// Oldest first once `head` is applied; an empty frame is all zeros.
    private var frames: [[UInt16]] = []
    private var head = 0

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Samples recorded so far, at most `capacity`.
    public var count: Int { frames.count }

    /// The servers' values, oldest first; `nil` for a server that was not in the last recorded snapshot.
    public func values(of key: ServerKey) -> [Float]? {
        guard let slot = slots[key] else { return nil }
        var values: [Float] = []
        values.reserveCapacity(frames.count)
        for offset in 0..<frames.count {
            let frame = frames[(head + offset) % frames.count]
            values.append(frame.isEmpty ? 0 : Float(frame[slot]))
        }
        return values
    }

    /// Distinct frame buffers held (shared frames counted once): what the history costs in memory.
    public var storedValues: Int {
        var seen = Set<UnsafeRawPointer>()
        var total = 0
        for frame in frames where !frame.isEmpty {
            let address = frame.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
            if seen.insert(address).inserted { total += frame.count }
        }
        return total
    }

    /// Appends one sample of every server of `snapshot`: its tunnels (current and old workers).
    /// `unchanged`: the tunnel reading is the one of the previous sample, so when the servers are the
    /// same too the previous frame is reused without looking at a single server.
    public mutating func record(_ snapshot: InstanceSnapshot, unchanged: Bool = false) {
        guard capacity > 0 else { return }
        let sameLayout = adoptLayout(of: snapshot)
        if unchanged, sameLayout, let last = lastFrame {
            append(last)
            return
        }
        var frame: [UInt16] = []
        // In layout order (the snapshot's), so a server's slot is its position: no lookup per server.
        var slot = 0
        for backend in snapshot.backends {
            let basis = snapshot.tunnelBasis[backend.name]
            for server in backend.servers {
                defer { slot += 1 }
                guard let count = snapshot.tunnelCount(of: server, basis: basis)?.count, count > 0 else { continue }
                if frame.isEmpty { frame = Array(repeating: 0, count: layout.count) }
                frame[slot] = UInt16(clamping: count)
            }
        }
        if let last = lastFrame, last == frame {
            append(last)  // shares the previous frame's storage
        } else {
            append(frame)
        }
    }

    private var lastFrame: [UInt16]? {
        guard !frames.isEmpty else { return nil }
        return frames[(head + frames.count - 1) % frames.count]
    }

    private mutating func append(_ frame: [UInt16]) {
        if frames.count < capacity {
            frames.append(frame)
        } else {
            frames[head] = frame
            head = (head + 1) % capacity
        }
    }

    /// Makes the slots those of `snapshot`'s servers; returns false when they changed (a reload, a
    /// server added or removed), after moving every kept server's past values to its new slot.
    private mutating func adoptLayout(of snapshot: InstanceSnapshot) -> Bool {
        var same = true
        var index = 0
        outer: for backend in snapshot.backends {
            for server in backend.servers {
                guard index < layout.count, layout[index].server == server.name, layout[index].backend == backend.name
                else {
                    same = false
                    break outer
                }
                index += 1
            }
        }
        if same, index == layout.count { return true }

        var newLayout: [ServerKey] = []
        for backend in snapshot.backends { for server in backend.servers { newLayout.append(server.key) } }
        var newSlots: [ServerKey: Int] = [:]
        newSlots.reserveCapacity(newLayout.count)
        for (slot, key) in newLayout.enumerated() { newSlots[key] = slot }
        // Old slot -> new slot, for the servers that stay.
        let moves = layout.enumerated().compactMap { old, key in newSlots[key].map { (old, $0) } }
        var previousOld: [UInt16]?
        var previousNew: [UInt16] = []
        for position in frames.indices where !frames[position].isEmpty {
            let old = frames[position]
            if let previousOld, previousOld == old {
                frames[position] = previousNew
                continue
            }
            var moved = [UInt16](repeating: 0, count: newLayout.count)
            for (from, to) in moves { moved[to] = old[from] }
            let fresh = moved.allSatisfy { $0 == 0 } ? [] : moved
            frames[position] = fresh
            previousOld = old
            previousNew = fresh
        }
        layout = newLayout
        slots = newSlots
        return false
    }
}
