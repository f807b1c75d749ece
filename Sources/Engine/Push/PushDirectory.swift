import Actors
import Synchronization

/// Each user's devices registered for push, readable without a hop: every notification for a user who is
/// not online asks it, the push routes change it.
final class PushDirectory: Sendable {
    /// User id → their devices, in registration order.
    private let entries = Mutex<[String: [PushDevice]]>([:])

    /// `userId`'s devices, in registration order.
    func devices(of userId: String) -> [PushDevice] {
        entries.withLock { $0[userId] ?? [] }
    }

    /// Registers `device` for `userId`, replacing the one with its id, unless a new one would take them
    /// past `limit` (`forbidden`). `record` makes the change durable first, under the lock, so two changes
    /// of one user can neither both pass the bound nor reach the journal out of order.
    /// Returns how many devices the user has now.
    func register(
        _ device: PushDevice, for userId: String, limit: Int, record: () throws(ChatError) -> Void
    ) throws(ChatError) -> Int {
        try entries.withLock { entries throws(ChatError) -> Int in
            var devices = entries[userId] ?? []
            let known = devices.contains { $0.deviceId == device.deviceId }
            if !known && devices.count >= limit {
                throw ChatError(.forbidden, "you have \(limit) devices registered for push, the most allowed; unregister one first")
            }
            try record()
            devices.removeAll { $0.deviceId == device.deviceId }
            devices.append(device)
            entries[userId] = devices
            return devices.count
        }
    }

    /// Unregisters `deviceId` of `userId` (`not_found` when there is no such device); returns how many
    /// devices they have left.
    func unregister(_ deviceId: String, of userId: String, record: () throws(ChatError) -> Void) throws(ChatError) -> Int {
        try entries.withLock { entries throws(ChatError) -> Int in
            guard var devices = entries[userId], devices.contains(where: { $0.deviceId == deviceId }) else {
                throw ChatError.notFound("device \(deviceId)")
            }
            try record()
            devices.removeAll { $0.deviceId == deviceId }
            entries[userId] = devices.isEmpty ? nil : devices
            return devices.count
        }
    }

    /// Replaces everything, at start-up from recovered state.
    func restore(_ devices: [String: [PushDevice]]) {
        entries.withLock { $0 = devices.filter { !$0.value.isEmpty } }
    }

    /// Every user's devices, for snapshots.
    var all: [String: [PushDevice]] { entries.withLock { $0 } }
}
