/// Checks that `member_count` values in join and leave replies fit one serial history of the room.
///
/// The room applies joins and leaves one at a time, so its count walks ±1 from the creator's 1. A
/// `joined` reply with count c is a step c−1→c, a `left` with c is c+1→c. Whatever order they ran in,
/// a walk from `start` to `final` crosses each level k→k+1 upwards exactly once more than downwards
/// when start ≤ k < final (once less when final ≤ k < start, equally often otherwise).
public struct MemberCountCheck: Sendable {
    private var net: [Int: Int] = [:]
    public private(set) var steps = 0

    public init() {}

    /// Records a `joined` reply.
    public mutating func joined(count: Int) {
        net[count - 1, default: 0] += 1
        steps += 1
    }

    /// Records a `left` reply.
    public mutating func left(count: Int) {
        net[count, default: 0] -= 1
        steps += 1
    }

    /// Levels whose crossings do not fit a walk from `start` to `final`.
    public func violations(start: Int = 1, final: Int) -> [String] {
        let levels = Set(net.keys).union(min(start, final)..<max(start, final))
        var found: [String] = []
        for level in levels.sorted() {
            let expected = (start <= level && level < final) ? 1 : (final <= level && level < start) ? -1 : 0
            let actual = net[level] ?? 0
            if actual != expected {
                found.append("member_count \(level)→\(level + 1): \(actual) net crossings, expected \(expected) (start \(start), final \(final))")
            }
        }
        return found
    }
}
