/// Spreads work over ordered lanes by key: the same key always lands in the same lane, so requests for
/// one room (or from one sender to one target) are handled in arrival order, while lanes run in parallel.
///
/// Plain actors do not give this: calls from different tasks into one actor may interleave in any order.
final class Dispatcher<Item: Sendable>: Sendable {
    private let lanes: [Lane<Item>]
    private let bulkLanes: [Lane<Item>]

    /// - Parameters:
    ///   - laneCount: lanes running in parallel.
    ///   - bulkLaneCount: separate lanes for heavy work, so it never queues in front of light requests.
    ///   - capacity: items each lane holds before `submit` refuses more.
    init(laneCount: Int, bulkLaneCount: Int = 1, capacity: Int) {
        lanes = (0..<max(1, laneCount)).map { _ in Lane(capacity: capacity) }
        bulkLanes = (0..<max(1, bulkLaneCount)).map { _ in Lane(capacity: capacity) }
    }

    /// Queues `item` on the lane of `key` unless that lane is full; returns whether it was queued.
    func submit(_ item: Item, key: String, bulk: Bool = false) -> Bool {
        lane(for: key, bulk: bulk).tryPush(item)
    }

    /// Whether the lane of `key` has room for one more item.
    func hasRoom(key: String, bulk: Bool = false) -> Bool {
        lane(for: key, bulk: bulk).hasRoom
    }

    private func lane(for key: String, bulk: Bool) -> Lane<Item> {
        let pool = bulk ? bulkLanes : lanes
        var hasher = Hasher()
        hasher.combine(key)
        return pool[Int(UInt(bitPattern: hasher.finalize()) % UInt(pool.count))]
    }

    /// Runs every lane until `finish()` is called and all queued items are handled.
    func run(_ body: @escaping @Sendable (Item) async -> Void) async {
        await withDiscardingTaskGroup { group in
            for lane in lanes + bulkLanes {
                group.addTask { await lane.run(body) }
            }
        }
    }

    /// Stops accepting work; `run` returns when the lanes are drained.
    func finish() {
        for lane in lanes + bulkLanes { lane.finish() }
    }
}
