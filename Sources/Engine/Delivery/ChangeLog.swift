import Actors
import Synchronization

/// Makes room changes durable; the journal in production.
public protocol ChangeLog: Sendable {
    /// Appends an entry, with the request it was made for when there is one, and returns its log
    /// position (LSN).
    func append(_ entry: JournalEntry, origin: ChangeOrigin?) throws -> UInt64
}

/// Numbers changes without storing them, for engines run without a data directory (unit tests).
public final class VolatileChangeLog: ChangeLog {
    private let last = Atomic<UInt64>(0)

    public init() {}

    public func append(_ entry: JournalEntry, origin: ChangeOrigin?) throws -> UInt64 {
        last.add(1, ordering: .relaxed).newValue
    }
}
