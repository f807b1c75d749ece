/// What one receiver got from each sender: unique, duplicate and reordered deliveries.
///
/// Sender numbers are dense from 1, so a bit per number detects duplicates without a hash set.
public struct DeliveryTracker: Sendable {
    /// Deliveries seen for the first time.
    public private(set) var unique = 0
    /// Deliveries of a number already seen.
    public private(set) var duplicates = 0
    /// Deliveries whose number is below one already seen from the same sender.
    public private(set) var reordered = 0

    private var seen: [Int: [Bool]] = [:]
    private var highest: [Int: Int] = [:]

    public init() {}

    /// Records one delivery of `number` from `sender`; returns whether it was new.
    @discardableResult
    public mutating func record(sender: Int, number: Int) -> Bool {
        var bits = seen.removeValue(forKey: sender) ?? []
        defer { seen[sender] = bits }
        if number >= bits.count { bits.append(contentsOf: repeatElement(false, count: number - bits.count + 64)) }
        if bits[number] {
            duplicates += 1
            return false
        }
        bits[number] = true
        unique += 1
        let top = highest[sender] ?? 0
        if number < top { reordered += 1 } else { highest[sender] = number }
        return true
    }

    /// How many distinct numbers arrived from `sender`.
    public func uniqueCount(from sender: Int) -> Int {
        seen[sender]?.lazy.filter { $0 }.count ?? 0
    }

    /// Adds another receiver's counts (for totals).
    public mutating func absorbCounts(_ other: DeliveryTracker) {
        unique += other.unique
        duplicates += other.duplicates
        reordered += other.reordered
    }
}
