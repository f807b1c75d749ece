import Actors
import Persistence
import Synchronization

/// The journal as the engine's change log: every change is appended (and, with `fsync always`, synced)
/// before anyone is told about it. Counts changes so the snapshotter knows when enough piled up.
final class JournalChangeLog: ChangeLog {
    let store: ChatStore
    let changesSinceSnapshot = Atomic<Int>(0)

    init(store: ChatStore) {
        self.store = store
    }

    func append(_ entry: JournalEntry, origin: ChangeOrigin?) throws -> UInt64 {
        let lsn = try store.append(entry, origin: origin)
        changesSinceSnapshot.add(1, ordering: .relaxed)
        return lsn
    }
}
