import Actors
import Dispatch
import Foundation
import Synchronization

/// Binary encoding of the whole ``EngineState``: the body of a snapshot file.
///
/// The layout (body version, tagged length-prefixed sections) is documented on ``SnapshotSection``.
/// Designed for speed on large states: one pre-sized output buffer, lengths patched in place rather
/// than measured by a second pass, and no per-field tags inside the hot message loop.
public enum EngineStateCodec {
    /// The body version this build writes and the newest it reads. Version 2: messages name a member
    /// sender by its number in the room's member list (``MessageCodec/Flags/senderMember``). Version 3:
    /// room records append `archived`, inviters and the message change log (``RoomStateCodec``); a build
    /// that predates them refuses the body instead of dropping them. Versions 1 and 2 still load.
    public static let bodyVersion: UInt64 = 3

    /// Encodes `state` as a snapshot body.
    public static func encode(_ state: EngineState) throws(PersistenceError) -> [UInt8] {
        var writer = ByteWriter(capacity: estimatedSize(of: state))
        writer.writeVarUInt(bodyVersion)

        try section(.rooms, into: &writer) { (writer: inout ByteWriter) throws(PersistenceError) in
            writer.writeVarUInt(UInt64(state.rooms.count))
            for room in state.rooms { try RoomStateCodec.write(room, into: &writer) }
        }
        try section(.globalBans, into: &writer) { writer in
            ValueCodec.write(state.globalBans, into: &writer)
        }
        try section(.replyForms, into: &writer) { writer in
            writer.writeVarUInt(UInt64(state.replies.count))
            for reply in state.replies { ValueCodec.writeForm(reply, into: &writer) }
        }
        try section(.lastSeen, into: &writer) { writer in
            writer.writeVarUInt(UInt64(state.lastSeen.count))
            for (user, at) in state.lastSeen {
                writer.writeString(user)
                writer.writeDouble(at)
            }
        }
        try section(.files, into: &writer) { writer in
            writer.writeVarUInt(UInt64(state.files.count))
            for file in state.files { ValueCodec.write(file, into: &writer) }
        }
        // A new section, not a new body version: older builds skip it, and older bodies load without it.
        if !state.blocks.isEmpty {
            try section(.blocks, into: &writer) { writer in
                writer.writeVarUInt(UInt64(state.blocks.count))
                for (blockerId, blocked) in state.blocks.sorted(by: { $0.key < $1.key }) {
                    writer.writeString(blockerId)
                    ValueCodec.write(blocked, into: &writer)
                }
            }
        }
        if !state.pushDevices.isEmpty {
            try section(.pushDevices, into: &writer) { writer in
                writer.writeVarUInt(UInt64(state.pushDevices.count))
                for (userId, devices) in state.pushDevices.sorted(by: { $0.key < $1.key }) {
                    writer.writeString(userId)
                    writer.writeVarUInt(UInt64(devices.count))
                    for device in devices { ValueCodec.write(device, into: &writer) }
                }
            }
        }
        if !state.pendingPushes.isEmpty {
            try section(.pendingPushes, into: &writer) { writer in
                writer.writeVarUInt(UInt64(state.pendingPushes.count))
                for push in state.pendingPushes { ValueCodec.write(push, into: &writer) }
            }
        }
        writer.writeVarUInt(SnapshotSection.endTag)
        writer.writeVarUInt(0)
        return writer.bytes
    }

    /// Decodes a snapshot body; unknown sections are skipped, damage throws.
    public static func decode(_ body: [UInt8]) throws(PersistenceError) -> EngineState {
        var state = EngineState()
        var seen = Set<UInt64>()
        for span in try SnapshotSection.scan(body) {
            guard let section = span.section else { continue }
            guard seen.insert(span.tag).inserted else {
                throw PersistenceError(.corrupt, "snapshot body has two \(section) sections")
            }
            var reader = ByteReader(body, offset: span.offset)
            switch section {
            case .rooms:
                let count = try reader.readLength()
                // Find each room's record first (a length and a skip each), so rooms can be decoded in parallel.
                var starts: [Int] = []
                starts.reserveCapacity(count)
                for _ in 0..<count {
                    starts.append(reader.offset)
                    try reader.skip(try reader.readLength())
                }
                state.rooms = try decodeRooms(body, starts: starts)
            case .globalBans:
                state.globalBans = try ValueCodec.readStringSet(from: &reader)
            case .replies, .replyForms:
                let count = try reader.readLength()
                state.replies.reserveCapacity(state.replies.count + count)
                for _ in 0..<count {
                    state.replies.append(
                        section == .replies ? try ValueCodec.readCachedReply(from: &reader) : try ValueCodec.readCachedReplyForm(from: &reader))
                }
            case .lastSeen:
                let count = try reader.readLength()
                state.lastSeen.reserveCapacity(count)
                for _ in 0..<count {
                    let user = try reader.readString()
                    state.lastSeen[user] = try reader.readDouble()
                }
            case .files:
                let count = try reader.readLength()
                state.files.reserveCapacity(count)
                for _ in 0..<count { state.files.append(try ValueCodec.readStoredFile(from: &reader)) }
            case .blocks:
                let count = try reader.readLength()
                state.blocks.reserveCapacity(count)
                for _ in 0..<count {
                    let blockerId = try reader.readString()
                    state.blocks[blockerId] = try ValueCodec.readStringSet(from: &reader)
                }
            case .pushDevices:
                let count = try reader.readLength()
                state.pushDevices.reserveCapacity(count)
                for _ in 0..<count {
                    let userId = try reader.readString()
                    let devices = try reader.readLength()
                    state.pushDevices[userId] = try (0..<devices).map { _ throws(PersistenceError) in
                        try ValueCodec.readPushDevice(from: &reader)
                    }
                }
            case .pendingPushes:
                let count = try reader.readLength()
                state.pendingPushes.reserveCapacity(count)
                for _ in 0..<count { state.pendingPushes.append(try ValueCodec.readPendingPush(from: &reader)) }
            }
            guard reader.offset == span.offset + span.length else {
                throw PersistenceError(
                    .corrupt, "\(section) section ends at offset \(reader.offset), its length says \(span.offset + span.length)")
            }
        }
        return state
    }

    // MARK: Helpers

    /// Rooms below this count are decoded on the calling thread: threads would cost more than they save.
    static let parallelRoomThreshold = 64

    /// Decodes the room records starting at `starts`, split over the cores.
    ///
    /// Restoring is mostly allocating and first-touching memory for a million messages, which scales
    /// with cores; at start-up nothing else needs them.
    static func decodeRooms(_ body: [UInt8], starts: [Int]) throws(PersistenceError) -> [RoomState] {
        let chunks = starts.count < parallelRoomThreshold ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard chunks > 1 else {
            guard let first = starts.first else { return [] }
            var reader = ByteReader(body, offset: first)
            return try (0..<starts.count).map { _ throws(PersistenceError) in try RoomStateCodec.read(from: &reader) }
        }
        let results = Mutex<[Int: Result<[RoomState], PersistenceError>]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (starts.count * chunk / chunks)..<(starts.count * (chunk + 1) / chunks)
            var reader = ByteReader(body, offset: starts[range.lowerBound])
            var rooms: [RoomState] = []
            rooms.reserveCapacity(range.count)
            let result = Result { () throws(PersistenceError) -> [RoomState] in
                for _ in range { rooms.append(try RoomStateCodec.read(from: &reader)) }
                return rooms
            }
            results.withLock { $0[chunk] = result }
        }
        var rooms: [RoomState] = []
        rooms.reserveCapacity(starts.count)
        for chunk in 0..<chunks {
            guard let result = results.withLock({ $0[chunk] }) else { continue }
            rooms.append(contentsOf: try result.get())
        }
        return rooms
    }

    private static func section(
        _ section: SnapshotSection, into writer: inout ByteWriter,
        _ body: (inout ByteWriter) throws(PersistenceError) -> Void
    ) throws(PersistenceError) {
        writer.writeVarUInt(section.rawValue)
        let start = writer.beginLengthPrefix()
        try body(&writer)
        try writer.endLengthPrefix(start)
    }

    /// A generous guess of the encoded size, so a large state is written without regrowing (each
    /// regrowth copies everything written so far).
    static func estimatedSize(of state: EngineState) -> Int {
        var size = 4096 + state.replies.count * 160 + state.lastSeen.count * 32 + state.files.count * 256
        for blocked in state.blocks.values { size += 32 + blocked.count * 32 }
        for devices in state.pushDevices.values { size += 32 + devices.count * 256 }
        for push in state.pendingPushes { size += 96 + push.body.count }
        for room in state.rooms {
            size += 256 + room.members.count * 48 + room.ring.count * 112
        }
        return size
    }
}
