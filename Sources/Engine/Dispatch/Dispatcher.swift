/// Spreads work over ordered lanes by key: the same key always lands in the same lane, so requests for
/// one room (or from one sender to one target) are handled in arrival order, while lanes run in parallel.
///
/// Plain actors do not give this: calls from different tasks into one actor may interleave in any order.
final class Dispatcher<Item: Sendable>: Sendable {
    private let lanes: [Lane<Item>]

    /// - Parameters:
    ///   - laneCount: lanes running in parallel.
    ///   - capacity: items each lane holds before `submit` blocks.
    init(laneCount: Int, capacity: Int) {
        lanes = (0..<max(1, laneCount)).map { _ in Lane(capacity: capacity) }
    }

    /// Queues `item` on the lane of `key`; blocks while that lane is full.
    func submit(_ item: Item, key: String) {
        var hasher = Hasher()
        hasher.combine(key)
        let index = Int(UInt(bitPattern: hasher.finalize()) % UInt(lanes.count))
        lanes[index].push(item)
    }

    /// Runs every lane until `finish()` is called and all queued items are handled.
    func run(_ body: @escaping @Sendable (Item) async -> Void) async {
        await withDiscardingTaskGroup { group in
            for lane in lanes {
                group.addTask { await lane.run(body) }
            }
        }
    }

    /// Stops accepting work; `run` returns when the lanes are drained.
    func finish() {
        for lane in lanes { lane.finish() }
    }
}
